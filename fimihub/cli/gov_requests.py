"""``fimihub gov-request``: the register of requests from public authorities for data held in the hub."""

from __future__ import annotations

import click

from fimihub import Hub
from fimihub.cli.common import echo_json, echo_records, hub_command, json_option

__all__ = ["gov_request"]


@click.group("gov-request")
def gov_request() -> None:
    """Government requests for data: logged, refused by default, decided by the hub's admins (audited)."""


@hub_command(gov_request, "log")
@click.option("--authority", required=True, help="The public authority that asks (name, department).")
@click.option("--legal-basis", default="", help="The law or order it relies on, as it states it.")
@click.option("--scope", required=True, help="What data it asks for.")
@click.option("--reference", default="", help="Its reference (case or letter number).")
@click.option("--by", "by_name", default="cli", show_default=True, help="Who at the operator logs it.")
@json_option()
def gov_request_log(
    hub: Hub,
    authority: str,
    legal_basis: str,
    scope: str,
    reference: str,
    by_name: str,
    as_json: bool,
) -> None:
    """Log a request; it is refused until a decision says otherwise. Prints its id."""
    logged = hub.government.log(
        hub.operator(by_name), authority=authority, legal_basis=legal_basis, scope=scope, reference=reference
    )
    echo_json(logged.to_json()) if as_json else click.echo(logged.id)


@hub_command(gov_request, "decide")
@click.argument("request_id")
@click.option("--decision", type=click.Choice(["refused", "disclosed"]), required=True)
@click.option("--justification", default="", help="Why (required to disclose).")
@click.option("--by", "by_name", default="cli", show_default=True, help="Who at the operator decides.")
@json_option()
def gov_request_decide(
    hub: Hub, request_id: str, decision: str, justification: str, by_name: str, as_json: bool
) -> None:
    """Record a decision on a logged request: refused, or disclosed with a written justification (only for
    a request that states its legal basis)."""
    decided = hub.government.decide(hub.operator(by_name), request_id, decision, justification)
    echo_json(decided.to_json()) if as_json else click.echo(f"{decided.id}\t{decided.decision.value}")


@hub_command(gov_request, "list")
@json_option()
def gov_request_list(hub: Hub, as_json: bool) -> None:
    """The register, oldest first: id, received, decision, authority, scope."""
    echo_records(
        hub.government.requests(hub.operator()),
        as_json,
        lambda r: (r.id, r.received_at.isoformat(timespec="seconds"), r.decision.value, r.authority, r.scope),
        to_json=lambda r: r.to_json(),
    )

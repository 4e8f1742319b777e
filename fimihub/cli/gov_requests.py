"""``fimihub gov-request``: the register of requests from public authorities for data held in the hub."""

from __future__ import annotations

import click

from fimihub.cli.common import db_option, echo_json, open_hub

__all__ = ["gov_request"]


@click.group("gov-request")
def gov_request() -> None:
    """Government requests for data: logged, refused by default, decided by the hub's admins (audited)."""


@gov_request.command("log")
@db_option
@click.option("--authority", required=True, help="The public authority that asks (name, department).")
@click.option("--legal-basis", default="", help="The law or order it relies on, as it states it.")
@click.option("--scope", required=True, help="What data it asks for.")
@click.option("--reference", default="", help="Its reference (case or letter number).")
@click.option("--by", "by_name", default="cli", show_default=True, help="Who at the operator logs it.")
@click.option("--json", "as_json", is_flag=True)
def gov_request_log(
    db: str | None,
    authority: str,
    legal_basis: str,
    scope: str,
    reference: str,
    by_name: str,
    as_json: bool,
) -> None:
    """Log a request; it is refused until a decision says otherwise. Prints its id."""
    with open_hub(db) as hub:
        logged = hub.government.log(
            hub.operator(by_name),
            authority=authority,
            legal_basis=legal_basis,
            scope=scope,
            reference=reference,
        )
    echo_json(logged.to_json()) if as_json else click.echo(logged.id)


@gov_request.command("decide")
@db_option
@click.argument("request_id")
@click.option("--decision", type=click.Choice(["refused", "disclosed"]), required=True)
@click.option("--justification", default="", help="Why (required to disclose).")
@click.option("--by", "by_name", default="cli", show_default=True, help="Who at the operator decides.")
@click.option("--json", "as_json", is_flag=True)
def gov_request_decide(
    db: str | None, request_id: str, decision: str, justification: str, by_name: str, as_json: bool
) -> None:
    """Record a decision on a logged request: refused, or disclosed with a written justification (only for
    a request that states its legal basis)."""
    with open_hub(db) as hub:
        decided = hub.government.decide(hub.operator(by_name), request_id, decision, justification)
    echo_json(decided.to_json()) if as_json else click.echo(f"{decided.id}\t{decided.decision.value}")


@gov_request.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True)
def gov_request_list(db: str | None, as_json: bool) -> None:
    """The register, oldest first: id, received, decision, authority, scope."""
    with open_hub(db) as hub:
        found = hub.government.requests(hub.operator())
    if as_json:
        echo_json([r.to_json() for r in found])
        return
    for r in found:
        click.echo(
            f"{r.id}\t{r.received_at.isoformat(timespec='seconds')}\t{r.decision.value}\t{r.authority}\t{r.scope}"
        )

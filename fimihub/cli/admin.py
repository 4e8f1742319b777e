"""Administration commands: organisations, members, forums and API tokens."""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import click

from fimihub import Hub, Role, Scope, Team, policy
from fimihub.cli.common import FILE, db_option, echo_json, echo_records, hub_command, json_option, open_hub
from fimihub.model import OrganisationKind, SignalKind

__all__ = ["forum", "member", "org", "token", "write_new_secret", "write_secret"]


FC = TypeVar("FC", bound=Callable[..., object])


def _choices(enum: type[StrEnum]) -> click.Choice[str]:
    return click.Choice([e.value for e in enum])


def _signal_kinds(note: str) -> Callable[[FC], FC]:
    """``--signal-kind``, repeatable: the kinds a forum takes."""
    return click.option(
        "--signal-kind",
        "signal_kinds",
        multiple=True,
        type=_choices(SignalKind),
        help=f"A signal kind members may share here (repeatable; {note}).",
    )


def _on_off(name: str, help_on: str) -> Callable[[FC], FC]:
    """A ``--NAME/--no-NAME`` switch that is left unset unless given."""
    return click.option(f"--{name}/--no-{name}", default=None, help=help_on)


@click.group()
def org() -> None:
    """Member organisations."""


@hub_command(org, "add")
@click.argument("name")
@click.option("--kind", type=_choices(OrganisationKind), required=True)
@click.option("--country", help="ISO 3166-1 alpha-2 code.")
@click.option("--platform", "platforms", multiple=True, help="A platform the organisation runs (repeatable).")
@click.option("--operator", is_flag=True, help="This organisation runs the hub (its admins administer it).")
@json_option()
def org_add(
    hub: Hub,
    name: str,
    kind: str,
    country: str | None,
    platforms: tuple[str, ...],
    operator: bool,
    as_json: bool,
) -> None:
    """Register an organisation."""
    created = hub.admin.create_organisation(
        hub.operator(), name=name, kind=kind, country=country, platforms=platforms, operator=operator
    )
    echo_json(created) if as_json else click.echo(created.id)


@hub_command(org, "list")
@json_option()
def org_list(hub: Hub, as_json: bool) -> None:
    """List organisations."""
    found = hub.admin.organisations(hub.operator())
    echo_records(found, as_json, lambda o: (o.id, o.kind.value, o.country or "-", o.name))


@org.command("identifier-key")
@db_option
@click.option("--org", "org_id", required=True, help="Organisation id.")
@click.option(
    "--out",
    type=FILE,
    help="Generate a key pair here and write its private key to this file (mode 600; never overwritten).",
)
@click.option(
    "--public-key",
    help="Register this public key (base64 or hex) instead, from a pair the organisation made elsewhere.",
)
@json_option()
def org_identifier_key(
    db: str | None, org_id: str, out: Path | None, public_key: str | None, as_json: bool
) -> None:
    """Register an organisation's identifier key: the hub seals the platform account and post ids it queues
    for the organisation (matches, scans, resurgence candidates) to it, so only the holder of the private
    key reads them. With --out the key pair is made here and the private key kept in that file, which the
    organisation keeps (`fimihub matches open --key-file` reads its queue with it); the hub stores only the
    public key. A new key replaces the old one; what was sealed to the old one stays sealed to it."""
    if (out is None) == (public_key is None):
        raise click.UsageError("give exactly one of --out (generate a key pair) or --public-key")
    with open_hub(db) as hub:
        if public_key is not None:
            updated = hub.identifiers.set_key(hub.operator(), org_id, public_key)
        else:
            assert out is not None
            # No key file for an organisation that does not exist.
            hub.admin.organisation(hub.operator(), org_id)
            pair = policy.new_identifier_key()
            write_new_secret(out, pair.private_key)
            try:
                updated = hub.identifiers.set_key(hub.operator(), org_id, pair.public_key)
            except BaseException:
                out.unlink(missing_ok=True)
                raise
    if as_json:
        echo_json(
            {"org_id": org_id, "key_id": updated.identifier_key_id, "public_key": updated.identifier_key}
        )
        return
    click.echo(f"{updated.identifier_key_id}\t{updated.identifier_key}")
    if out is not None:
        click.echo(f"private key written to {out}: keep it with the organisation, not on the hub", err=True)


@click.group()
def member() -> None:
    """People and service accounts of organisations."""


@hub_command(member, "add")
@click.argument("name")
@click.option("--org", "org_id", required=True, help="Organisation id.")
@click.option("--role", "roles", multiple=True, required=True, type=_choices(Role), help="Repeatable.")
@click.option("--team", type=_choices(Team), default=Team.CIO_INVESTIGATIONS.value, show_default=True)
@click.option("--email")
@click.option("--service-account", is_flag=True)
@json_option()
def member_add(
    hub: Hub,
    name: str,
    org_id: str,
    roles: tuple[str, ...],
    team: str,
    email: str | None,
    service_account: bool,
    as_json: bool,
) -> None:
    """Add a member to an organisation."""
    created = hub.admin.create_member(
        hub.operator(),
        org_id=org_id,
        name=name,
        roles=roles,
        team=team,
        email=email,
        service_account=service_account,
    )
    echo_json(created) if as_json else click.echo(created.id)


@hub_command(member, "list")
@click.option("--org", "org_id", help="Only this organisation's members.")
@json_option()
def member_list(hub: Hub, org_id: str | None, as_json: bool) -> None:
    """List members."""
    found = hub.admin.members(hub.operator(), org_id)
    echo_records(found, as_json, lambda m: (m.id, m.org_id, ",".join(sorted(m.roles)), m.name))


@hub_command(member, "suspend")
@click.argument("member_id")
def member_suspend(hub: Hub, member_id: str) -> None:
    """Suspend a member: its tokens stop working at once and it is in no forum until reinstated."""
    hub.admin.set_member_active(hub.operator(), member_id, False)
    click.echo(f"{member_id} suspended")


@hub_command(member, "reinstate")
@click.argument("member_id")
def member_reinstate(hub: Hub, member_id: str) -> None:
    """Reinstate a suspended member (its tokens work again unless they expired or were revoked)."""
    hub.admin.set_member_active(hub.operator(), member_id, True)
    click.echo(f"{member_id} reinstated")


@click.group()
def forum() -> None:
    """Forums: channels of exchange."""


@hub_command(forum, "add")
@click.argument("name")
@click.option("--org", "orgs", multiple=True, help="A member organisation id (repeatable).")
@click.option("--admin", "admins", multiple=True, help="A member id who administers the forum (repeatable).")
@click.option(
    "--tlp", "default_tlp", default="amber", show_default=True, help="Default TLP of what is shared."
)
@click.option("--retention-days", type=int, default=365, show_default=True)
@click.option("--no-review", is_flag=True, help="Allow enforcement on shared signals without human review.")
@click.option(
    "--clear-account-ids",
    is_flag=True,
    help="Share the platform account ids of assets in clear here (default: as keyed hashes).",
)
@click.option(
    "--public-authority-access",
    is_flag=True,
    help="Let members of public authorities read what others share here (default: TLP:CLEAR only).",
)
@_signal_kinds("default: every kind")
@click.option("--description", default="")
@click.option("--purpose", default="", help="Why the forum exchanges what it does (heads its DPIA).")
@click.option("--lawful-basis", default="", help="The lawful basis its members rely on (GDPR Art. 6 …).")
@json_option()
def forum_add(
    hub: Hub,
    name: str,
    orgs: tuple[str, ...],
    admins: tuple[str, ...],
    default_tlp: str,
    retention_days: int,
    no_review: bool,
    clear_account_ids: bool,
    public_authority_access: bool,
    signal_kinds: tuple[str, ...],
    description: str,
    purpose: str,
    lawful_basis: str,
    as_json: bool,
) -> None:
    """Open a forum."""
    created = hub.admin.create_forum(
        hub.operator(),
        name=name,
        member_orgs=orgs,
        admins=admins,
        default_tlp=default_tlp,
        retention_days=retention_days,
        human_review_required=not no_review,
        clear_account_ids=clear_account_ids,
        public_authority_access=public_authority_access,
        signal_kinds=sorted(set(signal_kinds)) if signal_kinds else None,
        description=description,
        purpose=purpose,
        lawful_basis=lawful_basis,
    )
    echo_json(created) if as_json else click.echo(created.id)


@hub_command(forum, "list")
@json_option()
def forum_list(hub: Hub, as_json: bool) -> None:
    """List forums."""
    found = hub.admin.forums(hub.operator())
    echo_records(
        found,
        as_json,
        lambda f: (f.id, f"TLP:{f.default_tlp.value.upper()}", f"{len(f.member_orgs)} orgs", f.name),
    )


@hub_command(forum, "set")
@click.argument("forum_id")
@click.option("--name")
@click.option("--description")
@click.option("--rules", help="The forum's rules, as text.")
@click.option("--tlp", "default_tlp", help="Default TLP of what is shared from now on.")
@click.option("--retention-days", type=int)
@_on_off("review", "Human review before enforcement on shared signals (--no-review waives it).")
@_on_off("hashtags-alone", "A hit on a hashtag signal alone opens a review item.")
@_on_off("clear-account-ids", "Share the platform account ids of assets in clear (default: keyed hashes).")
@_on_off("public-authority-access", "Let public authorities read what others share (default: CLEAR only).")
@_signal_kinds("replaces the list")
@click.option("--any-signal-kind", is_flag=True, help="Lift the list: members may share every signal kind.")
@click.option("--purpose", help="Why the forum exchanges what it does (heads its DPIA).")
@click.option("--lawful-basis", help="The lawful basis its members rely on (GDPR Art. 6 …).")
@json_option()
def forum_set(
    hub: Hub,
    forum_id: str,
    as_json: bool,
    signal_kinds: tuple[str, ...],
    any_signal_kind: bool,
    **options: object,
) -> None:
    """Change a forum's policy; only what is given changes, and the change is audited."""
    names = {
        "review": "human_review_required",
        "hashtags_alone": "review_hashtags_alone",
    }
    changes = {names.get(k, k): v for k, v in options.items() if v is not None}
    if signal_kinds and any_signal_kind:
        raise click.UsageError("--signal-kind and --any-signal-kind: give one or the other")
    if signal_kinds or any_signal_kind:
        changes["signal_kinds"] = sorted(set(signal_kinds)) if signal_kinds else None
    if not changes:
        raise click.UsageError("say what to change (see --help)")
    changed = hub.admin.update_forum(hub.operator(), forum_id, changes)
    echo_json(changed) if as_json else click.echo(f"{changed.id} updated: {', '.join(sorted(changes))}")


@hub_command(forum, "join")
@click.argument("forum_id")
@click.argument("org_id")
def forum_join(hub: Hub, forum_id: str, org_id: str) -> None:
    """Add an organisation to a forum."""
    hub.admin.set_forum_membership(hub.operator(), forum_id, org_id)


@hub_command(forum, "leave")
@click.argument("forum_id")
@click.argument("org_id")
def forum_leave(hub: Hub, forum_id: str, org_id: str) -> None:
    """Remove an organisation from a forum."""
    hub.admin.set_forum_membership(hub.operator(), forum_id, org_id, member=False)


@click.group()
def token() -> None:
    """API tokens (shown once, stored hashed)."""


@hub_command(token, "create")
@click.option("--member", "member_id", required=True)
@click.option(
    "--scope", "scopes", multiple=True, type=_choices(Scope), help="Default: all the member's roles allow."
)
@click.option("--days", "ttl_days", type=int, help="Lifetime in days (default: the hub's token_ttl_days).")
@click.option("--name", default="token", show_default=True)
@click.option(
    "--file",
    "token_file",
    type=FILE,
    help="Write the secret to this file (mode 600) instead of printing it.",
)
def token_create(
    hub: Hub,
    member_id: str,
    scopes: tuple[str, ...],
    ttl_days: int | None,
    name: str,
    token_file: Path | None,
) -> None:
    """Issue a token. The secret is shown this once."""
    issued = hub.admin.issue_token(
        hub.operator(), member_id, scopes=scopes or None, ttl_days=ttl_days, name=name
    )
    if token_file:
        write_secret(token_file, issued.secret)
        click.echo(f"{issued.token.id}: secret written to {token_file}")
    else:
        click.echo(issued.secret)


@hub_command(token, "list")
@click.option("--member", "member_id", required=True)
def token_list(hub: Hub, member_id: str) -> None:
    """List a member's tokens (never their secrets)."""
    for t in hub.admin.tokens(hub.operator(), member_id):
        state = "revoked" if t.revoked_at else f"expires {t.expires_at:%Y-%m-%d}"
        click.echo(f"{t.id}\t{','.join(sorted(t.scopes))}\t{state}\t{t.name}")


@hub_command(token, "revoke")
@click.argument("token_id")
def token_revoke(hub: Hub, token_id: str) -> None:
    """Revoke a token at once."""
    hub.admin.revoke_token(hub.operator(), token_id)


def write_new_secret(path: Path, secret: str) -> None:
    """Write a secret to a new file readable by its owner only; refuse to overwrite one that exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.UsageError(f"{path} exists: not overwriting a key file (choose another path)") from None
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), 0o600)
        file.write(secret + "\n")


def write_secret(path: Path, secret: str) -> None:
    """Write a secret readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(secret + "\n", encoding="utf-8")

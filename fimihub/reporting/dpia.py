"""What a data-protection impact assessment needs to know about a hub, drawn from its forums' policies.

:func:`render_dpia` turns the :class:`DpiaFacts` the hub gathers (``hub.privacy.dpia``) into Markdown, one
section per forum: purposes, lawful bases, categories of data, retention, recipients, transfers outside the
EU/EEA and the safeguards in force. What a forum leaves unstated is flagged, not filled in: a DPIA is the
controller's own assessment, and this is its factual annex.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DpiaFacts", "ForumFacts", "RecipientFacts", "render_dpia"]

_MISSING = "**not stated** — set it on the forum"


@dataclass(frozen=True, slots=True)
class RecipientFacts:
    """A member organisation of a forum, as a recipient of what is shared there."""

    name: str
    kind: str
    country: str | None
    #: Whether the country is in the EU/EEA (``None``: no country recorded).
    in_eea: bool | None


@dataclass(frozen=True, slots=True)
class ForumFacts:
    """One forum: its stated purpose and basis, and what it holds."""

    name: str
    purpose: str
    lawful_basis: str
    default_tlp: str
    retention_days: int
    human_review_required: bool
    pseudonymised: bool
    clear_account_ids: bool
    #: Whether public-authority members read what others share here (by the TLP rules), not CLEAR only.
    public_authority_access: bool
    #: The signal kinds the forum takes (``None``: every kind).
    signal_kinds_taken: list[str] | None
    recipients: list[RecipientFacts]
    #: Records shared in the forum, by kind (``signal``, ``asset``, …).
    records: dict[str, int]
    #: Signals in the forum by signal kind, and which of those kinds are personal identifiers (held keyed).
    signal_kinds: dict[str, int]
    personal_kinds: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DpiaFacts:
    hub_name: str
    as_of: str
    forums: list[ForumFacts]
    organisations: int
    organisations_with_identifier_key: int
    token_max_ttl_days: int
    retention_interval_hours: int
    audit_events: int


def render_dpia(facts: DpiaFacts) -> str:
    """The facts as a Markdown document."""
    out = [
        f"# Data-protection impact assessment: facts of {facts.hub_name}",
        "",
        f"Drawn from the hub's store as of {facts.as_of} by `fimihub privacy dpia`. It states what the "
        "forums of this hub say and hold; the assessment of necessity, proportionality and risk is the "
        "controllers'.",
        "",
        "## Safeguards across the hub",
        "",
        "- Access: every read and write is decided by one policy from the member's organisation, role, forum "
        "membership and the record's TLP 2.0 marking; markings only tighten, and widening one is an audited "
        "act of the owner organisation's admins.",
        "- Pseudonymisation: account ids, e-mail addresses and phone numbers are shared only as HMAC-SHA256 "
        "digests keyed with each forum's key.",
        f"- Members' platform identifiers in review queues are sealed to each organisation's own key "
        f"({facts.organisations_with_identifier_key} of {facts.organisations} organisations have registered "
        "one; the others cannot queue matches with account or post ids).",
        f"- Credentials: API tokens live at most {facts.token_max_ttl_days} days, never broader than the "
        "token that issued them; requests are rate-limited per token.",
        "- Retention: every record expires by its forum's retention; "
        + (
            f"the server purges expired records every {facts.retention_interval_hours} hours"
            if facts.retention_interval_hours
            else "expired records are purged by `fimihub retention run` (no scheduled run is set)"
        )
        + "; a legal hold on a case keeps its records.",
        f"- Accountability: {facts.audit_events} events in the tamper-evident audit log.",
        "",
    ]
    if not facts.forums:
        out += ["No forum is set up: nothing is exchanged yet.", ""]
    for forum in facts.forums:
        out += _forum_section(forum)
    return "\n".join(out).rstrip() + "\n"


def _authority_access(forum: ForumFacts) -> str:
    authorities = sorted(r.name for r in forum.recipients if r.kind == "public-authority")
    named = f" ({', '.join(authorities)})" if authorities else " (none is a member)"
    if forum.public_authority_access:
        return (
            f"**members of public authorities{named} read what the others share here**, by the TLP rules"
            " (the forum's policy): a disclosure to public authorities to account for."
        )
    return f"members of public authorities{named} read only TLP:CLEAR records and their own here."


def _forum_section(forum: ForumFacts) -> list[str]:
    outside = [r for r in forum.recipients if r.in_eea is False]
    unknown = [r for r in forum.recipients if r.in_eea is None]
    lines = [
        f"## Forum: {forum.name}",
        "",
        f"- **Purpose**: {forum.purpose or _MISSING}",
        f"- **Lawful basis**: {forum.lawful_basis or _MISSING}",
        f"- **Retention**: {forum.retention_days} days from sharing, then purged from store and indexes.",
        f"- **Default marking**: TLP:{forum.default_tlp.upper()}; "
        + (
            "human review before any enforcement."
            if forum.human_review_required
            else "**enforcement without human review is allowed** in this forum."
        ),
        "- **Account ids of assets**: "
        + ("shared in clear (the forum's policy)." if forum.clear_account_ids else "shared as keyed hashes."),
        "- **Public authorities**: " + _authority_access(forum),
        "- **Signal kinds members may share**: "
        + (
            "every kind."
            if forum.signal_kinds_taken is None
            else (", ".join(forum.signal_kinds_taken) or "none") + "."
        ),
        "",
        "### Categories of data",
        "",
    ]
    if forum.records:
        lines += [f"- {kind}: {count}" for kind, count in sorted(forum.records.items())]
    else:
        lines.append("- nothing shared yet")
    if forum.signal_kinds:
        personal = set(forum.personal_kinds)
        lines += ["", "| signal kind | signals | held as |", "|---|---|---|"]
        for kind, count in sorted(forum.signal_kinds.items()):
            held = "keyed hash (personal identifier)" if kind in personal else "value"
            lines.append(f"| {kind} | {count} | {held} |")
    lines += ["", "### Recipients", "", "| organisation | kind | country |", "|---|---|---|"]
    for r in sorted(forum.recipients, key=lambda r: r.name):
        lines.append(f"| {r.name} | {r.kind} | {r.country or 'not recorded'} |")
    lines += ["", "### Transfers outside the EU/EEA", ""]
    if outside:
        names = ", ".join(f"{r.name} ({r.country})" for r in sorted(outside, key=lambda r: r.name))
        lines.append(
            f"To: {names}. Each needs a transfer mechanism (adequacy, SCCs) in the members' records."
        )
    else:
        lines.append("None: every recipient with a recorded country is in the EU/EEA.")
    if unknown:
        names = ", ".join(sorted(r.name for r in unknown))
        lines.append(f"Country not recorded for: {names}.")
    lines.append("")
    return lines

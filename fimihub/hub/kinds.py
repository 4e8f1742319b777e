"""The record kinds of the hub, by the plural names the API and the command line use for them."""

from __future__ import annotations

from fimihub.model import Action, Asset, Case, Feedback, Fingerprint, Governed, Lead, Match, Operation, Signal

__all__ = ["ID_PREFIX", "RECORD_KINDS", "REVIEWED_KINDS"]

#: The shareable record kinds, by the plural name the API and CLI use for them.
RECORD_KINDS: dict[str, type[Governed]] = {
    "operations": Operation,
    "assets": Asset,
    "signals": Signal,
    "actions": Action,
    "feedback": Feedback,
    "cases": Case,
    "leads": Lead,
    "fingerprints": Fingerprint,
}
#: Every governed kind a member's data lands in: the shareable kinds and the review queue's matches.
REVIEWED_KINDS: dict[str, type[Governed]] = {**RECORD_KINDS, "matches": Match}
#: The prefix of each kind's ids (``operation--…``), which also names it in the audit log.
ID_PREFIX: dict[type[Governed], str] = {
    **{cls: name.rstrip("s") for name, cls in RECORD_KINDS.items()},
    Match: "match",
}

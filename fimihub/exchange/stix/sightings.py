"""What members did and what they say back: actions as ``sighting``, feedback as ``opinion``.

An **action** (an enforcement step on the member's own service) is a sighting by the acting organisation
(``where_sighted_refs``) of what prompted it: the operation's campaign, else the indicator named by its
``lead_ref``, else — an action tied to neither — the acting organisation's own identity. ``first_seen`` and
``last_seen`` are when it was taken, ``count`` how many assets it covered (capped at STIX's 999,999,999; the
exact count is in the extension), ``description`` its note. The kind of action, the assets, the platform, the
lead source and lead reference, and the affected EU/EEA Member States travel in fimihub's extension.

**Feedback** is an opinion on its subject (``object_refs``), its comment the ``explanation``. The kinds map
onto the STIX agreement scale, and the exact kind is kept in the extension:

==============  ====================
feedback kind   opinion
==============  ====================
acted           strongly-agree
seen            agree
disputed        disagree
overturned      disagree
false-positive  strongly-disagree
==============  ====================

A peer's opinion without the extension reads back as: strongly-agree → acted, agree or neutral → seen,
disagree → disputed, strongly-disagree → false-positive.
"""

from __future__ import annotations

import re
from typing import Any

from fimihub.exchange.stix._common import JSON, ObjectReader, extension_fields, parse_record, stix_time
from fimihub.exchange.stix._objects import sdo
from fimihub.exchange.stix.extension import organisation_identity_id, record_extension, record_fields
from fimihub.exchange.stix.ids import derived_id, id_type, id_uuid, record_stix_id
from fimihub.exchange.stix.indicators import indicator_id
from fimihub.exchange.stix.operations import campaign_id
from fimihub.model import PAP, TLP, Action, Feedback, FeedbackKind

__all__ = [
    "OPINIONS",
    "action_from_stix",
    "action_to_stix",
    "feedback_from_stix",
    "feedback_to_stix",
    "record_ref",
    "subject_of_ref",
]

#: The STIX opinion each feedback kind is written as.
OPINIONS: dict[FeedbackKind, str] = {
    FeedbackKind.ACTED: "strongly-agree",
    FeedbackKind.SEEN: "agree",
    FeedbackKind.DISPUTED: "disagree",
    FeedbackKind.OVERTURNED: "disagree",
    FeedbackKind.FALSE_POSITIVE: "strongly-disagree",
}
_FROM_OPINION = {
    "strongly-agree": FeedbackKind.ACTED,
    "agree": FeedbackKind.SEEN,
    "neutral": FeedbackKind.SEEN,
    "disagree": FeedbackKind.DISPUTED,
    "strongly-disagree": FeedbackKind.FALSE_POSITIVE,
}
_MAX_COUNT = 999_999_999
_ACTION_STANDARD = {"note": "description", "taken_at": "first_seen"}
_ACTION_FIELDS = extension_fields(Action, _ACTION_STANDARD)
_FEEDBACK_STANDARD = {"comment": "explanation"}
_FEEDBACK_FIELDS = extension_fields(Feedback, _FEEDBACK_STANDARD)
# STIX property names have at least three characters.
_FEEDBACK_NAMES = {"at": "given_at"}
# Record id prefixes and the STIX types that carry those records.
_TYPES = {"operation": "campaign", "signal": "indicator", "action": "sighting", "feedback": "opinion"}
_PREFIXES = {v: k for k, v in _TYPES.items()}
_PREFIX = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


def record_ref(record_id: str) -> str:
    """The STIX id a reference to record ``record_id`` points at. Records STIX has no object for (shares,
    cases) are named ``x-fimihub-<prefix>--<uuid>``."""
    prefix = record_id.partition("--")[0] if "--" in record_id else ""
    if prefix in _TYPES:
        return record_stix_id(record_id, _TYPES[prefix], prefix)
    if _PREFIX.match(prefix):
        return record_stix_id(record_id, f"x-fimihub-{prefix}", prefix)
    return derived_id("x-fimihub-record", "record", record_id)


def subject_of_ref(stix_id: str) -> str:
    """The record id a peer's reference points at (the inverse of :func:`record_ref` for UUID ids)."""
    kind = id_type(stix_id)
    prefix = _PREFIXES.get(kind, kind.removeprefix("x-fimihub-"))
    return f"{prefix}--{id_uuid(stix_id)}"


def action_to_stix(action: Action) -> list[JSON]:
    """The sighting of ``action``."""
    obj = sdo(action, "sighting", record_stix_id(action.id, "sighting", "action"))
    owner = organisation_identity_id(action.owner_org)
    if action.operation_id:
        obj["sighting_of_ref"] = campaign_id(action.operation_id)
    elif action.lead_ref and action.lead_ref.startswith("signal--"):
        obj["sighting_of_ref"] = indicator_id(action.lead_ref)
    else:
        obj["sighting_of_ref"] = owner
    obj["where_sighted_refs"] = [owner]
    obj["first_seen"] = obj["last_seen"] = stix_time(action.taken_at)
    obj["count"] = min(action.asset_count, _MAX_COUNT)
    if action.note:
        obj["description"] = action.note
    obj["extensions"] = record_extension(action, "action", _ACTION_FIELDS)
    return [obj]


def action_from_stix(
    obj: ObjectReader, ext: ObjectReader, *, tlp: TLP | None = None, pap: PAP | None = None
) -> Action:
    """The action a sighting of fimihub's carries (``ext`` is its extension)."""
    data = record_fields(ext, _ACTION_FIELDS, tlp=tlp, pap=pap)
    data["note"] = obj.optional_text("description") or ""
    data["taken_at"] = obj.timestamp("first_seen")
    return parse_record(Action, data, ext, _ACTION_STANDARD)


def feedback_to_stix(feedback: Feedback) -> list[JSON]:
    """The opinion of ``feedback`` on its subject."""
    obj = sdo(feedback, "opinion", record_stix_id(feedback.id, "opinion", "feedback"))
    obj["opinion"] = OPINIONS[feedback.kind]
    obj["object_refs"] = [record_ref(feedback.subject_id)]
    if feedback.comment:
        obj["explanation"] = feedback.comment
    obj["extensions"] = record_extension(feedback, "feedback", _FEEDBACK_FIELDS, _FEEDBACK_NAMES)
    return [obj]


def feedback_from_stix(
    obj: ObjectReader, ext: ObjectReader, *, tlp: TLP | None = None, pap: PAP | None = None
) -> Feedback:
    """The feedback an opinion of fimihub's carries (``ext`` is its extension)."""
    data = record_fields(ext, _FEEDBACK_FIELDS, _FEEDBACK_NAMES, tlp=tlp, pap=pap)
    data["comment"] = obj.optional_text("explanation") or ""
    return parse_record(Feedback, data, ext, _FEEDBACK_STANDARD)


def foreign_feedback(obj: ObjectReader, governed: dict[str, Any]) -> Feedback:
    """The feedback a peer's opinion (without fimihub's extension) stands for: on its first object."""
    opinion = obj.text("opinion")
    if opinion not in _FROM_OPINION:
        raise obj.error("opinion", f"{opinion!r} is not on the STIX opinion scale")
    refs = obj.texts("object_refs")
    if not refs:
        raise obj.error("object_refs", "an opinion needs at least one object")
    try:
        subject = subject_of_ref(refs[0])
    except ValueError as exc:
        raise obj.error("object_refs", str(exc)) from None
    data = dict(governed)
    data.update(
        subject_id=subject,
        kind=_FROM_OPINION[opinion],
        comment=obj.optional_text("explanation") or "",
        at=governed["created_at"],
    )
    return parse_record(Feedback, data, obj, _FEEDBACK_STANDARD)

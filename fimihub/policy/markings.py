"""Whether a change of marking would let more people see a record, or do more with it.

A marking only ever tightens through the everyday acts (share, re-share, update, a TAXII post of a new
version): moving a record to a more open TLP level, a more permissive PAP, or naming more recipients is
*declassifying*, which only an admin of the owner organisation does, as an act of its own that the audit log
records (:func:`fimihub.policy.may_declassify`).
"""

from __future__ import annotations

from fimihub.model import PAP, TLP, Marking

__all__ = ["widening"]

_PAP_ORDER = (PAP.CLEAR, PAP.GREEN, PAP.AMBER, PAP.RED)


def widening(old: Marking, new: Marking) -> str | None:
    """How ``new`` would widen ``old`` (a sentence naming it), or ``None`` when it widens nothing.

    Widening is any of: a lower TLP level; a lower PAP level; at any level but CLEAR, an organisation or
    member named as a recipient that ``old`` does not name; an AMBER marking that names recipients becoming
    one that names none (which opens it to the whole forum). Nothing widens a CLEAR marking but its PAP.
    """
    if new.tlp.rank < old.tlp.rank:
        return f"TLP:{old.tlp.value.upper()} would become TLP:{new.tlp.value.upper()}"
    if _PAP_ORDER.index(new.pap) < _PAP_ORDER.index(old.pap):
        return f"PAP:{old.pap.value.upper()} would become PAP:{new.pap.value.upper()}"
    if old.tlp is TLP.CLEAR:
        return None  # everyone sees it already: naming recipients widens nothing
    added_orgs = sorted(set(new.recipient_orgs) - set(old.recipient_orgs))
    if added_orgs:
        return f"recipient organisations would be added: {', '.join(added_orgs)}"
    added_members = sorted(set(new.recipient_members) - set(old.recipient_members))
    if added_members:
        return f"recipient members would be added: {', '.join(added_members)}"
    if new.tlp is TLP.AMBER and old.tlp is TLP.AMBER and old.recipient_orgs and not new.recipient_orgs:
        return "an AMBER record released to named organisations would open to its whole forum"
    return None

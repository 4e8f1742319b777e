"""The store's pre-filter for what a caller may see; the policy still decides on every record it returns."""

from __future__ import annotations

from fimihub import policy
from fimihub.policy import Caller
from fimihub.storage import Visibility

__all__ = ["visibility"]


def visibility(by: Caller) -> Visibility | None:
    """What the store may leave out for ``by`` before the policy looks (None: nothing, for the operator)."""
    member = policy.actor_of(by)
    if member is None:
        return None
    return Visibility(org_id=member.org.id, member_id=member.member.id, forum_ids=member.forums)

"""Who may take part in private matching, the private set intersection sessions of :mod:`fimihub.model.psi`.

A session concerns two organisations only, the requester (its owner) and the responder:

==========  ===========================================================================================
act         who
==========  ===========================================================================================
see         active members of the requester or the responder organisation, whose token carries ``read``
            (any role: a reader may follow its organisation's sessions). Nobody else, however privileged:
            a hub admin sees another organisation's sessions no more than its records.
open        analysts and admins, with the ``write`` scope, addressing another organisation
answer,     analysts and admins of the responder organisation, with the ``write`` scope, while the
decline     session is open
==========  ===========================================================================================

As everywhere, a session the member may not see is *not found*, never *forbidden*.
"""

from __future__ import annotations

from fimihub.model import PsiSession, Role, Scope
from fimihub.policy.access import Act, Actor, may

__all__ = ["may_answer_psi", "may_open_psi", "may_see_psi"]

_EDITORS = frozenset({Role.ADMIN, Role.ANALYST})


def may_see_psi(actor: Actor, session: PsiSession) -> bool:
    """Whether ``actor`` may see ``session`` (and the messages it holds): one of its two organisations."""
    return actor.org.id in (session.owner_org, session.responder_org) and may(actor, Act.READ, session)


def may_open_psi(actor: Actor, responder_org: str) -> bool:
    """Whether ``actor`` may open a session addressed to organisation ``responder_org``."""
    member = actor.member
    return (
        member.active
        and bool(member.roles & _EDITORS)
        and actor.allows(Scope.WRITE)
        and responder_org != actor.org.id
    )


def may_answer_psi(actor: Actor, session: PsiSession) -> bool:
    """Whether ``actor`` may answer or decline ``session``: an analyst or admin of its responder."""
    member = actor.member
    return (
        may_see_psi(actor, session)
        and actor.org.id == session.responder_org
        and bool(member.roles & _EDITORS)
        and actor.allows(Scope.WRITE)
    )

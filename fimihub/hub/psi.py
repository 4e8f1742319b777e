"""Private matching use cases: the hub relays private set intersection (PSI) sessions between two members.

The hub is the post office, never a party: it keeps the requester's blinded request and the responder's
answer (opaque messages of :mod:`fimihub.matching.psi`) until the session expires, checks that they are
well-formed PSI messages of the size allowed, and hands them only to the two organisations (the access
decisions are :mod:`fimihub.policy.psi`'s). It never holds a value of either set in clear and has no key
that would let it compute the intersection. What it learns is in the audit log and the session: who asked
whom, when, for which kind, and how many values each side brought.

:class:`PsiRelay` takes its dependencies explicitly (the store and the clock); :class:`~fimihub.hub.Hub`
exposes it as ``psi_open``, ``psi_sessions``, ``psi_session``, ``psi_answer`` and ``psi_decline``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from fimihub import policy
from fimihub.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationError
from fimihub.hub.core import Core, audit_event
from fimihub.hub.keys import current_key
from fimihub.hub.pages import Page
from fimihub.matching import psi as engine
from fimihub.model import Forum, ForumKey, Organisation, PsiSession, PsiStatus, new_id, parse
from fimihub.model.psi import psi_marking
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork, Visibility

__all__ = ["MAX_OPEN_PER_PAIR", "PSI_TTL_DAYS", "PsiRelay", "decode_message"]

#: How long a session lives, from when it is opened; the retention run purges it afterwards.
PSI_TTL_DAYS = 7
#: Most sessions one organisation may have waiting on another at a time.
MAX_OPEN_PER_PAIR = 20
_LIST_MAX = 1000
_SUBJECT = "psi_session"
_OPEN_FIELDS = frozenset({"responder_org", "kind", "request", "reveal_intersection", "key_forum_id", "note"})


def decode_message(value: object, field: str) -> bytes:
    """A PSI message sent as base64 text, decoded; ``ValidationError`` naming ``field`` otherwise."""
    if not isinstance(value, str) or not value:
        raise ValidationError(field, "must be a PSI message in base64")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(field, "must be a PSI message in base64") from None


class PsiRelay:
    """The relay of private matching sessions between two organisations (``hub.psi``)."""

    def __init__(
        self, core: Core, *, ttl_days: int = PSI_TTL_DAYS, max_open_per_pair: int = MAX_OPEN_PER_PAIR
    ) -> None:
        self.core = core
        self.ttl = timedelta(days=ttl_days)
        self.max_open_per_pair = max_open_per_pair

    def open(self, by: Caller, data: Mapping[str, Any]) -> PsiSession:
        """Open a session from the caller's organisation to ``data["responder_org"]`` with the caller's
        ``request`` (base64), for values of ``kind``; ``reveal_intersection`` (default true) false asks only
        for the size of the intersection. Personal kinds name ``key_forum_id``, a forum both organisations
        are in, whose key both hash their identifiers with."""
        actor = _member(by)
        if not isinstance(data, Mapping):
            raise ValidationError("(root)", "must be an object")
        unknown = sorted(set(data) - _OPEN_FIELDS)
        if unknown:
            raise ValidationError(unknown[0], "unknown field")
        responder = data.get("responder_org")
        if not isinstance(responder, str) or not responder:
            raise ValidationError("responder_org", "field required: the organisation holding the other set")
        kind = engine.psi_kind(str(data.get("kind", "")))
        reveal = data.get("reveal_intersection", True)
        if not isinstance(reveal, bool):
            raise ValidationError("reveal_intersection", "must be true or false")
        request = decode_message(data.get("request"), "request")
        info = engine.inspect_request(request)
        if info.reveal_intersection != reveal:
            raise ValidationError("request", "its mode differs from reveal_intersection")
        key_forum_id = data.get("key_forum_id")
        if key_forum_id is not None and not isinstance(key_forum_id, str):
            raise ValidationError("key_forum_id", "must be a forum id")
        if not policy.may_open_psi(actor, responder):
            raise PermissionDenied(
                "opening a private matching session needs an analyst or admin, the write scope, and "
                "another organisation to address"
            )
        now = self.core.clock()
        with self.core.store.unit_of_work() as uow:
            if uow.get(Organisation, responder) is None:
                raise NotFound(f"no organisation {responder!r}")
            key_id = self._key_for(uow, actor, responder, kind.personal, key_forum_id)
            self._check_open_count(uow, actor.org.id, responder, now)
            session = parse(
                PsiSession,
                {
                    "id": new_id("psi"),
                    "owner_org": actor.org.id,
                    "created_by": actor.member.id,
                    "created_at": now,
                    "modified_at": now,
                    "expires_at": now + self.ttl,
                    "purpose": "private-matching",
                    "marking": psi_marking(responder),
                    "responder_org": responder,
                    "kind": kind,
                    "reveal_intersection": reveal,
                    "request": base64.b64encode(request).decode("ascii"),
                    "request_items": info.items,
                    "key_forum_id": key_forum_id if key_id else None,
                    "key_id": key_id,
                    "note": data.get("note", ""),
                },
            )
            uow.insert(session)
            audit_event(
                uow,
                actor,
                "psi.open",
                _SUBJECT,
                session.id,
                {
                    "responder_org": responder,
                    "kind": kind.value,
                    "request_items": info.items,
                    "reveal_intersection": reveal,
                    "key_forum_id": session.key_forum_id,
                },
                now,
            )
        return session

    def sessions(
        self,
        by: Caller,
        *,
        role: str | None = None,
        status: str | None = None,
        after: str | None = None,
        limit: int = 100,
    ) -> Page[PsiSession]:
        """The live sessions the caller's organisation opened (``role="requester"``), those addressed to it
        (``"responder"``) or both (``None``), by id, a page at a time."""
        actor = _member(by)
        if not 1 <= limit <= _LIST_MAX:
            raise ValidationError("limit", f"must be between 1 and {_LIST_MAX}")
        where: dict[str, Any] = {}
        if role == "requester":
            where["owner_org"] = actor.org.id
        elif role == "responder":
            where["responder_org"] = actor.org.id
        elif role is not None:
            raise ValidationError("role", "must be requester or responder")
        if status is not None:
            try:
                where["status"] = PsiStatus(status).value
            except ValueError:
                raise ValidationError("status", f"must be one of {[s.value for s in PsiStatus]}") from None
        now = self.core.clock()
        visible = Visibility(org_id=actor.org.id, member_id=actor.member.id)
        found: list[PsiSession] = []
        cursor = after
        with self.core.store.unit_of_work(read_only=True) as uow:
            while len(found) <= limit:
                batch = uow.find(PsiSession, where=where, visible=visible, after_id=cursor, limit=limit + 1)
                found.extend(s for s in batch if _live(s, now) and policy.may_see_psi(actor, s))
                if len(batch) <= limit:
                    break
                cursor = batch[-1].id
        if len(found) > limit:
            found = found[:limit]
            return Page(found, found[-1].id)
        return Page(found, None)

    def session(self, by: Caller, session_id: str) -> PsiSession:
        """The session with its messages, for either of its organisations (each fetch is audited)."""
        actor = _member(by)
        now = self.core.clock()
        with self.core.store.unit_of_work() as uow:
            session = _visible(uow, actor, session_id, now)
            audit_event(
                uow,
                actor,
                "psi.fetch",
                _SUBJECT,
                session.id,
                {"role": _role(actor, session), "status": session.status.value},
                now,
            )
        return session

    def answer(self, by: Caller, session_id: str, setup: object, response: object) -> PsiSession:
        """The responder's answer: its setup message and its response to the request (base64 each)."""
        actor = _member(by)
        setup_bytes = decode_message(setup, "setup")
        response_bytes = decode_message(response, "response")
        answered_items = engine.answer_items(setup_bytes, response_bytes)
        now = self.core.clock()
        with self.core.store.unit_of_work() as uow:
            session = self._answerable(uow, actor, session_id, now)
            if answered_items != session.request_items:
                raise ValidationError(
                    "response",
                    f"answers {answered_items} values, the request holds {session.request_items}",
                )
            answered = session.evolve(
                status=PsiStatus.ANSWERED,
                setup=base64.b64encode(setup_bytes).decode("ascii"),
                response=base64.b64encode(response_bytes).decode("ascii"),
                answered_by=actor.member.id,
                answered_at=now,
                modified_at=now,
            )
            uow.update(answered)
            audit_event(
                uow,
                actor,
                "psi.answer",
                _SUBJECT,
                session.id,
                {"requester_org": session.owner_org, "response_items": answered_items},
                now,
            )
        return answered

    def decline(self, by: Caller, session_id: str, reason: object = "") -> PsiSession:
        """The responder will not answer; ``reason`` is shown to the requester."""
        actor = _member(by)
        if not isinstance(reason, str):
            raise ValidationError("reason", "must be a string")
        now = self.core.clock()
        with self.core.store.unit_of_work() as uow:
            session = self._answerable(uow, actor, session_id, now)
            declined = session.evolve(
                status=PsiStatus.DECLINED,
                decline_reason=reason.strip(),
                answered_by=actor.member.id,
                answered_at=now,
                modified_at=now,
            )
            uow.update(declined)
            audit_event(
                uow,
                actor,
                "psi.decline",
                _SUBJECT,
                session.id,
                {"requester_org": session.owner_org, "reason": reason.strip()[:500]},
                now,
            )
        return declined

    # -- helpers ------------------------------------------------------------------------------------------

    def _answerable(self, uow: UnitOfWork, actor: policy.Actor, session_id: str, now: datetime) -> PsiSession:
        session = _visible(uow, actor, session_id, now)
        if not policy.may_answer_psi(actor, session):
            raise PermissionDenied("only an analyst or admin of the organisation asked, with the write scope")
        if session.status is not PsiStatus.OPEN:
            raise Conflict(f"psi session {session_id!r} is {session.status.value} already")
        return session

    def _key_for(
        self, uow: UnitOfWork, actor: policy.Actor, responder: str, personal: bool, forum_id: str | None
    ) -> str | None:
        """The id of the forum key personal identifiers are hashed with (``None`` for other kinds)."""
        if not personal:
            if forum_id is not None:
                raise ValidationError("key_forum_id", "only personal kinds are hashed with a forum's key")
            return None
        if forum_id is None:
            raise ValidationError(
                "key_forum_id",
                "personal identifiers are compared as keyed hashes: name a forum both organisations are in",
            )
        forum = uow.get(Forum, forum_id)
        if forum is None or forum.id not in actor.forums or actor.org.id not in forum.member_orgs:
            raise NotFound(f"no forum {forum_id!r}")
        if responder not in forum.member_orgs:
            raise ValidationError("key_forum_id", "the organisation asked is not a member of that forum")
        return current_key(uow.find(ForumKey, where={"forum_id": forum_id}), forum_id).id

    def _check_open_count(self, uow: UnitOfWork, requester: str, responder: str, now: datetime) -> None:
        waiting = [
            s
            for s in uow.find(
                PsiSession, where={"owner_org": requester, "responder_org": responder, "status": "open"}
            )
            if _live(s, now)
        ]
        if len(waiting) >= self.max_open_per_pair:
            first_expiry = min(s.expires_at for s in waiting if s.expires_at is not None)
            wait = max(1, int((first_expiry - now).total_seconds()))
            raise RateLimited(
                f"{len(waiting)} sessions to {responder!r} are waiting for an answer already: wait for "
                "answers, or for one to expire",
                retry_after=wait,
            )


def _member(by: Caller) -> policy.Actor:
    return policy.member_only(by, "private matching (between member organisations)")


def _live(session: PsiSession, now: datetime) -> bool:
    return session.expires_at is not None and now < session.expires_at


def _visible(uow: UnitOfWork, actor: policy.Actor, session_id: str, now: datetime) -> PsiSession:
    """The session if the actor may see it and it has not expired; ``NotFound`` otherwise (an expired one
    is named as such only to its two organisations)."""
    session = uow.get(PsiSession, session_id)
    if session is None or not policy.may_see_psi(actor, session):
        raise NotFound(f"no psi session {session_id!r}")
    if not _live(session, now):
        raise NotFound(f"psi session {session_id!r} has expired")
    return session


def _role(actor: policy.Actor, session: PsiSession) -> str:
    return "requester" if actor.org.id == session.owner_org else "responder"

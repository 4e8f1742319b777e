"""The record a use case is about to change, fetched and cleared by the policy in one step."""

from __future__ import annotations

from typing import TypeVar

from fimihub import policy
from fimihub.errors import NotFound
from fimihub.hub.kinds import ID_PREFIX
from fimihub.model import Forum, Governed
from fimihub.policy import Caller
from fimihub.storage import UnitOfWork

__all__ = ["writable"]

G = TypeVar("G", bound=Governed)


def writable(uow: UnitOfWork, by: Caller, kind: type[G], record_id: str) -> G:
    """Record ``record_id`` of ``kind``, read in ``uow``, if the caller may change it: :class:`NotFound` when
    it may not see it (or there is none), ``PermissionDenied`` when it sees it but may not write it."""
    forums = {f.id: f for f in uow.find(Forum)}
    record = uow.get(kind, record_id)
    if record is None or not policy.may_read(by, record, forums):
        raise NotFound(f"no {ID_PREFIX[kind]} {record_id!r}")
    forum = forums.get(record.forum_id) if record.forum_id else None
    policy.check(by, policy.Act.WRITE, record, forum=forum)
    return record

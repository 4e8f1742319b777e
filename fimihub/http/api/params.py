"""What the REST routes take: the member calling (:data:`ActorDep`), a JSON object for a body
(:data:`JsonObject`), and the fields of that body, each checked for its type (:func:`body_field`)."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Body, Depends

from fimihub.errors import ValidationError
from fimihub.http.api.auth import current_actor
from fimihub.policy import Actor

__all__ = ["ActorDep", "JsonObject", "body_field"]

T = TypeVar("T")

#: The member behind the request's token (401 when there is none).
ActorDep = Annotated[Actor, Depends(current_actor)]
#: A JSON object in the request's body.
JsonObject = Annotated[dict[str, Any], Body()]


def body_field(body: dict[str, Any], name: str, kind: type[T], reason: str, *, default: Any = None) -> T:
    """The field ``name`` of a JSON body (``default`` where it is missing), which must be a ``kind``: else a
    :class:`ValidationError` naming the field, for ``reason``."""
    value = body.get(name, default)
    if not isinstance(value, kind):
        raise ValidationError(name, reason)
    return value

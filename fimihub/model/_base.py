"""What every domain record shares: strict validation, stable ids, and the governance envelope.

Records are immutable pydantic models. Building one from outside data goes through :func:`parse`, which turns
pydantic's errors into our :class:`~fimihub.errors.ValidationError` naming the field.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import pydantic
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from fimihub.errors import ValidationError
from fimihub.model.markings import Marking

__all__ = [
    "MAX_NAME",
    "MAX_TEXT",
    "Governed",
    "Name",
    "Record",
    "Text",
    "new_id",
    "parse",
    "utcnow",
]

#: Longest name or short label, in characters.
MAX_NAME = 200
#: Longest free-text field, in characters (descriptions, narratives, comments).
MAX_TEXT = 100_000

T = TypeVar("T", bound=BaseModel)


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC, to the microsecond."""
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    """A fresh identifier, ``<prefix>--<uuid4>`` like STIX ids, so ids name their type."""
    return f"{prefix}--{uuid.uuid4()}"


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
UtcDatetime = Annotated[datetime, AfterValidator(_aware)]


class Record(BaseModel):
    """Base of all domain types: immutable, unknown fields refused, enums stored by value."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        use_enum_values=False,
        validate_default=True,
        str_strip_whitespace=False,
    )

    def evolve(self: T, **changes: Any) -> T:
        """A validated copy with ``changes`` applied."""
        data = self.model_dump()
        data.update(changes)
        return parse(type(self), data)


class Governed(Record):
    """A shareable record: it has an owner, a forum, markings, a purpose, a lawful basis and an expiry.

    ``owner_org`` is the organisation that holds the record and answers for it; ``forum_id`` the channel of
    exchange it was shared into (``None`` while it is the owner's alone); ``expires_at`` when retention purges
    it (``None``: the forum's or the hub's default applies); ``copied_from_org`` the organisation whose record
    this one re-shares, if it is a copy.
    """

    id: str
    owner_org: str
    forum_id: str | None = None
    marking: Marking = Field(default_factory=Marking)
    purpose: Annotated[str, StringConstraints(max_length=MAX_NAME)] = "cio-exchange"
    #: The lawful basis the record is held and shared under (GDPR Art. 6, and Art. 9/10 where they apply). The
    #: hub stamps the forum's when the record enters a forum and states none of its own; empty: not stated.
    lawful_basis: Annotated[str, StringConstraints(max_length=2000)] = ""
    created_by: str | None = None
    created_at: UtcDatetime = Field(default_factory=utcnow)
    modified_at: UtcDatetime = Field(default_factory=utcnow)
    expires_at: UtcDatetime | None = None
    #: For a re-shared copy: the organisation whose record it copies. A copy is bound by that record's
    #: marking, so nobody declassifies it (its source's owner declassifies the source instead).
    copied_from_org: str | None = None


def parse(cls: type[T], data: Any) -> T:
    """Validate ``data`` into ``cls``; on failure raise :class:`ValidationError` naming every bad field."""
    try:
        return cls.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = [_located(_field_path(err["loc"]), _message(err)) for err in exc.errors()]
        raise ValidationError(errors[0][0], errors[0][1], errors=errors) from None


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if not (isinstance(p, str) and p.startswith("function-"))]
    return ".".join(parts) or "(root)"


_NAMED = re.compile(r"^([a-z_][a-z0-9_.]*): (.+)$", re.DOTALL)


def _located(path: str, message: str) -> tuple[str, str]:
    # Checks that span several fields (model validators) name the field they blame as "field: message".
    named = _NAMED.match(message)
    if named is None:
        return path, message
    field = named.group(1) if path == "(root)" else f"{path}.{named.group(1)}"
    return field, named.group(2)


def _message(err: Any) -> str:
    msg = str(err.get("msg", "invalid"))
    if err.get("type") == "extra_forbidden":
        return "unknown field"
    if err.get("type") == "missing":
        return "field required"
    return msg.removeprefix("Value error, ")

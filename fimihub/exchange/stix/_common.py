"""What every mapping module shares: timestamps, JSON values, and reading peers' objects with errors that name
the object id and the property at fault."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

from fimihub.errors import ValidationError
from fimihub.model import Governed, parse

__all__ = [
    "JSON",
    "ObjectReader",
    "dump_fields",
    "extension_fields",
    "jsonable",
    "parse_record",
    "stix_time",
]

#: A STIX object (or part of one) as plain JSON.
JSON = dict[str, Any]
R = TypeVar("R", bound=Governed)


def stix_time(moment: datetime, *, millis: bool = False) -> str:
    """``moment`` as a STIX timestamp in UTC: ``millis`` cuts it to the millisecond (``created``,
    ``modified``); otherwise it keeps every digit it has (``first_seen``, ``valid_until`` …)."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    head = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if millis:
        return f"{head}.{utc.microsecond // 1000:03d}Z"
    if utc.microsecond:
        return f"{head}.{utc.microsecond:06d}".rstrip("0") + "Z"
    return f"{head}Z"


def jsonable(value: Any) -> Any:
    """A model value as JSON: timestamps as STIX timestamps, enums by value, tuples and sets as lists."""
    if isinstance(value, datetime):
        return stix_time(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite to travel in STIX")
    return value


def extension_fields(cls: type[Governed], standard: Iterable[str] = ()) -> tuple[str, ...]:
    """The fields of record type ``cls`` that travel in fimihub's extension: all but the governance envelope
    and those in ``standard`` (carried by standard STIX properties). New model fields travel without a change
    here; the extension's schema then has to learn them."""
    skip = set(Governed.model_fields) | set(standard)
    return tuple(name for name in cls.model_fields if name not in skip)


def dump_fields(record: BaseModel, names: Iterable[str], rename: Mapping[str, str] | None = None) -> JSON:
    """The fields ``names`` of ``record`` as JSON, leaving out ``None`` and empty values that are the default
    (STIX forbids empty lists, and a reader restores the default when the property is absent). ``rename``
    gives the property name of a field whose own name STIX does not allow (shorter than three characters)."""
    rename = rename or {}
    out: JSON = {}
    fields = type(record).model_fields
    for name in names:
        value = getattr(record, name)
        if value is None:
            continue
        default = fields[name].default
        if value == default and not default and default is not False and default != 0:
            continue  # "" and () are left out; False and 0 are said
        try:
            out[rename.get(name, name)] = jsonable(value)
        except ValueError as exc:
            raise ValidationError(name, str(exc)) from None
    return out


class ObjectReader:
    """Typed access to one STIX object (or a part of it) from a peer.

    Every error is a :class:`ValidationError` whose field is ``<object id>.<property path>``, so whoever sent
    a bad bundle learns which object and which property to fix.
    """

    def __init__(self, data: Mapping[str, Any], object_id: str, path: str = "") -> None:
        self.data = data
        self.object_id = object_id
        self.path = path

    def where(self, name: str) -> str:
        inner = f"{self.path}.{name}" if self.path else name
        return f"{self.object_id}.{inner}"

    def error(self, name: str, message: str) -> ValidationError:
        return ValidationError(self.where(name), message)

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def value(self, name: str) -> Any:
        return self.data.get(name)

    def required(self, name: str) -> Any:
        """The property ``name``, which must be there (JSON ``null`` counts as missing)."""
        value = self.data.get(name)
        if value is None:
            raise self.error(name, "required property missing")
        return value

    def text(self, name: str) -> str:
        value = self.required(name)
        if not isinstance(value, str):
            raise self.error(name, f"expected a string, got {type(value).__name__}")
        return value

    def optional_text(self, name: str) -> str | None:
        return self.text(name) if self.has(name) else None

    def integer(self, name: str) -> int:
        value = self.required(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, f"expected an integer, got {type(value).__name__}")
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"expected true or false, got {type(value).__name__}")
        return value

    def texts(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(name, "expected a list of strings")
        return value

    def timestamp(self, name: str) -> datetime:
        text = self.text(name)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.error(name, f"{text!r} is not a STIX timestamp") from None
        if not text.endswith("Z"):
            raise self.error(name, f"{text!r} is not a STIX timestamp (UTC, ending in 'Z')")
        return moment

    def optional_timestamp(self, name: str) -> datetime | None:
        return self.timestamp(name) if self.has(name) else None

    def mapping(self, name: str) -> ObjectReader:
        value = self.data.get(name)
        if not isinstance(value, Mapping):
            what = "required property missing" if value is None else f"expected an object, not {value!r:.40}"
            raise self.error(name, what)
        return ObjectReader(value, self.object_id, self.path + ("." if self.path else "") + name)

    def mappings(self, name: str) -> list[ObjectReader]:
        value = self.data.get(name)
        if not isinstance(value, list) or not value:
            raise self.error(name, "expected a non-empty list of objects")
        found: list[ObjectReader] = []
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                raise self.error(f"{name}[{index}]", "expected an object")
            found.append(ObjectReader(item, self.object_id, self.where(f"{name}[{index}]").partition(".")[2]))
        return found


def parse_record(cls: type[R], data: Mapping[str, Any], ext: ObjectReader, paths: Mapping[str, str]) -> R:
    """``data`` validated into ``cls``. A bad field is named by where it came from: ``paths`` maps model
    fields to the standard STIX properties that carry them; every other field lives in ``ext`` (our
    extension)."""
    try:
        return parse(cls, data)
    except ValidationError as exc:
        located = [(_locate(field, ext, paths), message) for field, message in exc.errors]
        raise ValidationError(located[0][0], located[0][1], errors=located) from None


def _locate(field: str, ext: ObjectReader, paths: Mapping[str, str]) -> str:
    parts = field.split(".")
    if parts[0] == "marking":
        if len(parts) > 1 and parts[1].startswith("recipient_"):
            return ext.where(parts[1])
        return f"{ext.object_id}.object_marking_refs"
    if parts[0] in paths:
        return f"{ext.object_id}.{paths[parts[0]]}"
    if parts[0] == "id":
        return ext.where("record_id")
    return ext.where(field)


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC (naive values are taken as UTC)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)

"""Turning records into table rows and back.

A row is the record's JSON (``body``) plus copies of the fields that are queried; reading goes through the
pydantic model again, so a stored record is exactly as valid as one built anywhere else.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import Table

from fimihub.errors import StoreError, ValidationError
from fimihub.model import Asset, ForumKey, Governed, Record, ReviewKey, parse
from fimihub.storage.base import FILTERABLE, RECORD_TYPES
from fimihub.storage.sql.tables import GOVERNED_COLUMNS, RECORD_TABLES
from fimihub.storage.vault import Vault, is_sealed

__all__ = [
    "SEALABLE",
    "column_value",
    "from_body",
    "recipient_rows",
    "record_id",
    "record_row",
    "stable_name",
    "stored_type",
    "table_for",
]

R = TypeVar("R", bound=Record)

#: The fields of each record type that the store seals at rest (see :mod:`fimihub.storage.vault`): a forum
#: key's secret, an organisation's review key, and the platform id of an asset that names an account.
SEALABLE: dict[type[Record], tuple[str, ...]] = {
    ForumKey: ("secret",),
    ReviewKey: ("secret",),
    Asset: ("external_id",),
}


def _sealed_fields(record: Record) -> tuple[str, ...]:
    if isinstance(record, Asset):
        return ("external_id",) if record.external_id and record.names_an_account else ()
    return SEALABLE.get(type(record), ())


def stored_type(kind: type[Record]) -> type[Record]:
    """The record type the store keeps ``kind`` as: ``kind`` itself or the stored type it derives from."""
    for cls in kind.__mro__:
        if cls in RECORD_TYPES and issubclass(cls, Record):
            return cls
    raise ValidationError("type", f"{kind.__name__} is not a record type the store keeps")


def table_for(kind: type[Record]) -> Table:
    """The table of record type ``kind``."""
    return RECORD_TABLES[stored_type(kind)]


def stable_name(kind: type[Record]) -> str:
    """The stable name of record type ``kind`` (``"signal"``, ``"api_token"`` …)."""
    return RECORD_TYPES[stored_type(kind)]


def record_id(record: Record) -> str:
    """The id of ``record``; every stored record type has one."""
    value = getattr(record, "id", None)
    if not isinstance(value, str):
        raise ValidationError("id", f"a {type(record).__name__} needs a string id to be stored")
    return value


def column_value(value: Any) -> Any:
    """A field value as its column holds it: enums by value, everything else as is."""
    return value.value if isinstance(value, Enum) else value


def record_row(record: Record, vault: Vault | None = None) -> dict[str, Any]:
    """The row for ``record``: its JSON body (its secrets sealed with ``vault`` when there is one) plus the
    indexed columns."""
    body = record.model_dump(mode="json")
    if vault is not None:
        for field in _sealed_fields(record):
            body[field] = vault.seal(body[field])
    row: dict[str, Any] = {"id": record_id(record), "body": body}
    if isinstance(record, Governed):
        row["owner_org"] = record.owner_org
        row["forum_id"] = record.forum_id
        row["tlp"] = record.marking.tlp.value
        row["created_at"] = record.created_at
        row["modified_at"] = record.modified_at
        row["expires_at"] = record.expires_at
    governed = isinstance(record, Governed)
    for field in FILTERABLE[stored_type(type(record))]:
        if not (governed and field in GOVERNED_COLUMNS):
            row[field] = column_value(getattr(record, field))
    return row


def recipient_rows(record: Record) -> list[dict[str, str]]:
    """The ``record_recipients`` rows for ``record``: every organisation and member its marking names."""
    if not isinstance(record, Governed):
        return []
    principals = dict.fromkeys((*record.marking.recipient_orgs, *record.marking.recipient_members))
    name = stable_name(type(record))
    return [{"record_type": name, "record_id": record.id, "principal_id": p} for p in principals]


def from_body(kind: type[R], body: Any, vault: Vault | None = None) -> R:
    """Rebuild a record of type ``kind`` from its stored JSON, opening what is sealed in it."""
    for field in SEALABLE.get(stored_type(kind), ()):
        value = body.get(field) if isinstance(body, dict) else None
        if isinstance(value, str) and is_sealed(value):
            if vault is None:
                raise StoreError(
                    f"the store holds sealed secrets but was opened without its at-rest key: cannot read"
                    f" {stable_name(kind)} {body.get('id')!r}"
                )
            body = {**body, field: vault.open(value)}
    return parse(kind, body)

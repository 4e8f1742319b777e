"""The SQL schema, as SQLAlchemy Core tables: one table per stored record type, recipients, and the audit log.

Each record table keeps the whole record as JSON in ``body`` (the source of truth, read back through the
pydantic model) and copies into real, indexed columns only what queries need: the fields of
:data:`~fimihub.storage.base.FILTERABLE`, and for governed records the governance envelope (owner, forum, TLP,
timestamps, expiry). ``record_recipients`` lists the organisations and members a marking names, so the
visibility pre-filter runs in the database.

The columns are derived from ``FILTERABLE`` so the two cannot disagree; the migrations are written out by
hand, and ``tests/storage`` checks that the migrated schema equals this metadata. Changing a table here
therefore needs a new migration under ``migrations/versions/``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
)

from fimihub.model import Governed, Record
from fimihub.storage.base import FILTERABLE, RECORD_TYPES

__all__ = [
    "GOVERNED_COLUMNS",
    "RECORD_TABLES",
    "TABLE_NAMES",
    "UtcDateTime",
    "audit_events",
    "audit_head",
    "hub_signing_key",
    "metadata",
    "peer_checkpoints",
    "peers",
    "record_recipients",
    "stix_objects",
    "stix_statuses",
    "taxii_state",
    "trusted_keys",
]

#: Names the indexes and keys the way migration 0001 spells them out.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, always written and read back in UTC.

    PostgreSQL keeps ``timestamptz`` but hands values back in the session's time zone; SQLite has no time
    zones and stores text, so values go in as UTC (which also keeps text order equal to time order, which
    ``expires_at <= now`` relies on) and come back naive, to be marked UTC again.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def to_text(value: datetime | None) -> str | None:
            # SQLAlchemy's SQLite text form (microseconds always written), made in one step: a store write
            # of many rows spends much of its time here.
            if value is None:
                return None
            utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
            return utc.replace(tzinfo=None).isoformat(" ", "microseconds")

        return to_text

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: Stable type name (see RECORD_TYPES) -> table name.
TABLE_NAMES: dict[str, str] = {
    "organisation": "organisations",
    "member": "members",
    "forum": "forums",
    "api_token": "api_tokens",
    "operation": "operations",
    "asset": "assets",
    "signal": "signals",
    "action": "actions",
    "feedback": "feedback",  # uncountable: the plural is the same word
    "case": "cases",
    "lead": "leads",
    "match": "matches",
    "forum_key": "forum_keys",
    "fingerprint": "fingerprints",
    "psi_session": "psi_sessions",
    "review_item": "review_items",
    "review_key": "review_keys",
    "signal_watch": "signal_watches",
    "disclosure": "disclosures",
}

#: The governance envelope copied out of every governed record, with whether the column may be NULL.
GOVERNED_COLUMNS: dict[str, bool] = {
    "owner_org": False,
    "forum_id": True,
    "tlp": False,
    "created_at": False,
    "modified_at": False,
    "expires_at": True,
}

# Filter fields whose column is not a string. Everything else filterable is an id, a slug or an enum value.
_FILTER_TYPES: dict[str, type[Boolean]] = {"revoked": Boolean}

# Signal values can be 8 KiB (text signatures): too long for a PostgreSQL b-tree entry, so a hash index
# (equality and IN only, which is all find() does) is used there.
_HASH_INDEXED = {("signals", "value")}


def _optional(kind: type[Record], name: str) -> bool:
    """Whether the model allows ``None`` for field ``name`` (then its column is nullable)."""
    annotation = kind.model_fields[name].annotation
    origin = typing.get_origin(annotation)
    return (origin is typing.Union or origin is types.UnionType) and type(None) in typing.get_args(annotation)


def _record_table(kind: type[Record], stable_name: str) -> Table:
    name = TABLE_NAMES[stable_name]
    columns: list[Column[Any]] = [
        Column("id", String, primary_key=True),
        Column("body", JSON, nullable=False),
    ]
    indexes: list[Index] = []
    governed = issubclass(kind, Governed)
    if governed:
        for column, nullable in GOVERNED_COLUMNS.items():
            when_or_text = UtcDateTime if column.endswith("_at") else String
            columns.append(Column(column, when_or_text, nullable=nullable, index=True))
    for field in sorted(FILTERABLE[kind]):
        if governed and field in GOVERNED_COLUMNS:
            continue
        sql_type = _FILTER_TYPES.get(field, String)
        if (name, field) in _HASH_INDEXED:
            columns.append(Column(field, sql_type, nullable=_optional(kind, field)))
            indexes.append(Index(f"ix_{name}_{field}", field, postgresql_using="hash"))
        else:
            columns.append(Column(field, sql_type, nullable=_optional(kind, field), index=True))
    return Table(name, metadata, *columns, *indexes)


#: Record type -> its table.
RECORD_TABLES: dict[type[Record], Table] = {
    kind: _record_table(kind, stable_name) for kind, stable_name in RECORD_TYPES.items()
}

#: Who a marking names: organisations (AMBER, AMBER+STRICT) and members (RED), for the visibility pre-filter.
record_recipients = Table(
    "record_recipients",
    metadata,
    Column("record_type", String, primary_key=True),
    Column("record_id", String, primary_key=True),
    Column("principal_id", String, primary_key=True),
    # The pre-filter looks records up by principal; the primary key serves deletes by record.
    Index("ix_record_recipients_principal", "principal_id", "record_type", "record_id"),
)

#: The tamper-evident audit log: one row per event, chained by hash.
audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String, nullable=False),
    Column("action", String(100), nullable=False),
    Column("subject_type", String(100), nullable=False),
    Column("subject_id", String, nullable=True, index=True),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

#: The single row (id 1) holding the last event's seq and hash; appends lock it to serialise.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

#: The STIX objects TAXII collections hold: one row per version of an object in a forum, keyed by its
#: ``date_added`` in microseconds (unique across the hub). Paging walks ``(forum_id, added_us)``; posting and
#: deleting look objects up by ``(forum_id, stix_id, version_us)``.
stix_objects = Table(
    "stix_objects",
    metadata,
    Column("added_us", BigInteger, primary_key=True, autoincrement=False),
    Column("forum_id", String, nullable=False),
    Column("stix_id", String, nullable=False),
    Column("type", String, nullable=False),
    Column("spec_version", String, nullable=False),
    Column("version", String, nullable=False),
    Column("version_us", BigInteger, nullable=False),
    Column("owner_org", String, nullable=False),
    Column("created_by", String, nullable=True),
    Column("tlp", String, nullable=False),
    Column("has_recipients", Boolean, nullable=False),
    Column("marking", JSON, nullable=False),
    Column("tombstone", Boolean, nullable=False),
    Column("is_latest", Boolean, nullable=False),
    Column("is_first", Boolean, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True, index=True),
    Column("body", JSON, nullable=False),
    Index("ix_stix_objects_forum_added", "forum_id", "added_us"),
    Index("ix_stix_objects_object_version", "forum_id", "stix_id", "version_us", unique=True),
)

#: Status resources of posted envelopes, read back by the poster's organisation.
stix_statuses = Table(
    "stix_statuses",
    metadata,
    Column("id", String, primary_key=True),
    Column("org_id", String, nullable=False),
    Column("forum_id", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    Column("body", JSON, nullable=False),
)

#: One row (id 1): the secret that signs TAXII paging cursors, and the last ``date_added`` handed out, which
#: writers lock to keep ``date_added`` unique and increasing in commit order.
taxii_state = Table(
    "taxii_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("cursor_key", String(64), nullable=False),
    Column("last_added_us", BigInteger, nullable=False),
)

#: Federation peers: the configuration as JSON, and the credentials kept apart so listings never carry them.
peers = Table(
    "peers",
    metadata,
    Column("name", String, primary_key=True),
    Column("body", JSON, nullable=False),
    Column("credentials", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("modified_at", UtcDateTime, nullable=False),
)

#: How far each sync got: per peer, remote collection and direction, a STIX timestamp.
peer_checkpoints = Table(
    "peer_checkpoints",
    metadata,
    Column("peer", String, primary_key=True),
    Column("collection_id", String, primary_key=True),
    Column("direction", String(8), primary_key=True),
    Column("position", String, nullable=False),
    Column("settled", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

#: The Ed25519 public keys whose signatures this hub checks.
trusted_keys = Table(
    "trusted_keys",
    metadata,
    Column("key_id", String, primary_key=True),
    Column("public_key", String, nullable=False),
    Column("label", String, nullable=False),
    Column("peer", String, nullable=True, index=True),
    Column("added_at", UtcDateTime, nullable=False),
)

#: One row (id 1): this hub's Ed25519 private key (hex, sealed at rest: see storage/vault.py), which signs
#: every object the hub publishes.
hub_signing_key = Table(
    "hub_signing_key",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("private_key", String, nullable=False),
)

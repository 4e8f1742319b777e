"""The initial schema: record tables, recipients, and the hash-chained audit log.

Revision ID: 0001
Revises:
Create Date: 2024-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The hash a chain starts from (fimihub.model.audit.GENESIS), copied so this file never changes.
GENESIS = "0" * 64


def _record(*columns: sa.Column[object]) -> list[sa.Column[object]]:
    """The columns every record table starts with: the id and the record's JSON."""
    return [
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        *columns,
    ]


def _governed(*columns: sa.Column[object]) -> list[sa.Column[object]]:
    """A governed record's columns: the record's, the governance envelope, then its own filter columns."""
    when = sa.DateTime(timezone=True)
    return _record(
        sa.Column("owner_org", sa.String(), nullable=False, index=True),
        sa.Column("forum_id", sa.String(), nullable=True, index=True),
        sa.Column("tlp", sa.String(), nullable=False, index=True),
        sa.Column("created_at", when, nullable=False, index=True),
        sa.Column("modified_at", when, nullable=False, index=True),
        sa.Column("expires_at", when, nullable=True, index=True),
        *columns,
    )


def upgrade() -> None:
    op.create_table(
        "organisations",
        *_record(sa.Column("kind", sa.String(), nullable=False, index=True)),
        sa.PrimaryKeyConstraint("id", name="pk_organisations"),
    )
    op.create_table(
        "members",
        *_record(sa.Column("org_id", sa.String(), nullable=False, index=True)),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
    )
    op.create_table("forums", *_record(), sa.PrimaryKeyConstraint("id", name="pk_forums"))
    op.create_table(
        "api_tokens",
        *_record(
            sa.Column("member_id", sa.String(), nullable=False, index=True),
            sa.Column("token_hash", sa.String(), nullable=False, index=True),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
    )
    op.create_table(
        "operations",
        *_governed(sa.Column("status", sa.String(), nullable=False, index=True)),
        sa.PrimaryKeyConstraint("id", name="pk_operations"),
    )
    op.create_table(
        "assets",
        *_governed(
            sa.Column("operation_id", sa.String(), nullable=True, index=True),
            sa.Column("platform", sa.String(), nullable=False, index=True),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_assets"),
    )
    op.create_table(
        "signals",
        *_governed(
            sa.Column("kind", sa.String(), nullable=False, index=True),
            sa.Column("operation_id", sa.String(), nullable=True, index=True),
            sa.Column("revoked", sa.Boolean(), nullable=False, index=True),
            sa.Column("value", sa.String(), nullable=False),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_signals"),
        # Values reach 8 KiB, beyond a PostgreSQL b-tree entry; lookups are by equality only.
        sa.Index("ix_signals_value", "value", postgresql_using="hash"),
    )
    op.create_table(
        "actions",
        *_governed(
            sa.Column("kind", sa.String(), nullable=False, index=True),
            sa.Column("operation_id", sa.String(), nullable=True, index=True),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_actions"),
    )
    op.create_table(
        "feedback",
        *_governed(
            sa.Column("kind", sa.String(), nullable=False, index=True),
            sa.Column("subject_id", sa.String(), nullable=False, index=True),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_feedback"),
    )
    op.create_table(
        "cases",
        *_governed(sa.Column("status", sa.String(), nullable=False, index=True)),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
    )
    op.create_table(
        "leads",
        *_governed(
            sa.Column("operation_id", sa.String(), nullable=True, index=True),
            sa.Column("status", sa.String(), nullable=False, index=True),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_leads"),
    )
    op.create_table(
        "record_recipients",
        sa.Column("record_type", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("principal_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("record_type", "record_id", "principal_id", name="pk_record_recipients"),
        sa.Index("ix_record_recipients_principal", "principal_id", "record_type", "record_id"),
    )
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("subject_type", sa.String(length=100), nullable=False),
        sa.Column("subject_id", sa.String(), nullable=True, index=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_events"),
    )
    audit_head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    # The head every append locks and moves on: seq 0, pointing at the genesis hash.
    op.bulk_insert(audit_head, [{"id": 1, "seq": 0, "hash": GENESIS}])


def downgrade() -> None:
    for table in (
        "audit_head",
        "audit_events",
        "record_recipients",
        "leads",
        "cases",
        "feedback",
        "actions",
        "signals",
        "assets",
        "operations",
        "api_tokens",
        "forums",
        "members",
        "organisations",
    ):
        op.drop_table(table)

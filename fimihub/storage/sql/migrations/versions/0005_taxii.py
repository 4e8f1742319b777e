"""TAXII collections: the STIX objects each forum's collection holds, status resources, and the TAXII clock.

The ``taxii_state`` row is created here with a fresh random cursor key, so every worker of a hub and every
restart signs and checks paging cursors with the same secret.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        "stix_objects",
        sa.Column("added_us", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("forum_id", sa.String(), nullable=False),
        sa.Column("stix_id", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("spec_version", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("version_us", sa.BigInteger(), nullable=False),
        sa.Column("owner_org", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.Column("tlp", sa.String(), nullable=False),
        sa.Column("has_recipients", sa.Boolean(), nullable=False),
        sa.Column("marking", sa.JSON(), nullable=False),
        sa.Column("tombstone", sa.Boolean(), nullable=False),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.Column("is_first", sa.Boolean(), nullable=False),
        sa.Column("expires_at", when, nullable=True, index=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("added_us", name="pk_stix_objects"),
    )
    op.create_index("ix_stix_objects_forum_added", "stix_objects", ["forum_id", "added_us"])
    op.create_index(
        "ix_stix_objects_object_version", "stix_objects", ["forum_id", "stix_id", "version_us"], unique=True
    )
    op.create_table(
        "stix_statuses",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("org_id", sa.String(), nullable=False),
        sa.Column("forum_id", sa.String(), nullable=False),
        sa.Column("created_at", when, nullable=False, index=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stix_statuses"),
    )
    state = op.create_table(
        "taxii_state",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("cursor_key", sa.String(64), nullable=False),
        sa.Column("last_added_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_taxii_state"),
    )
    op.bulk_insert(state, [{"id": 1, "cursor_key": secrets.token_hex(32), "last_added_us": 0}])


def downgrade() -> None:
    op.drop_table("taxii_state")
    op.drop_table("stix_statuses")
    op.drop_index("ix_stix_objects_object_version", table_name="stix_objects")
    op.drop_index("ix_stix_objects_forum_added", table_name="stix_objects")
    op.drop_table("stix_objects")

"""Fingerprints of disrupted operations, for resurgence detection; matches may come from a fingerprint.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        "fingerprints",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("owner_org", sa.String(), nullable=False, index=True),
        sa.Column("forum_id", sa.String(), nullable=True, index=True),
        sa.Column("tlp", sa.String(), nullable=False, index=True),
        sa.Column("created_at", when, nullable=False, index=True),
        sa.Column("modified_at", when, nullable=False, index=True),
        sa.Column("expires_at", when, nullable=True, index=True),
        sa.Column("operation_id", sa.String(), nullable=False, index=True),
        sa.PrimaryKeyConstraint("id", name="pk_fingerprints"),
    )
    with op.batch_alter_table("matches") as matches:
        matches.alter_column("signal_id", existing_type=sa.String(), nullable=True)
        matches.add_column(sa.Column("fingerprint_id", sa.String(), nullable=True))
        matches.create_index("ix_matches_fingerprint_id", ["fingerprint_id"])


def downgrade() -> None:
    with op.batch_alter_table("matches") as matches:
        matches.drop_index("ix_matches_fingerprint_id")
        matches.drop_column("fingerprint_id")
        matches.alter_column("signal_id", existing_type=sa.String(), nullable=False)
    op.drop_table("fingerprints")

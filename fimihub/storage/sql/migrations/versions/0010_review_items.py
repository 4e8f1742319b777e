"""Review items: hits grouped per account x operation and per returning network.

Three tables: ``review_items`` (the queue's decisions, filtered by status, kind, operation, platform and
grouping key), ``review_keys`` (each organisation's review key, the secret its account keys are keyed with)
and ``signal_watches`` (what each signal matched scan by scan, and whether it is quarantined). Matches gain
the account key and hit key they are grouped and told apart by, and the review item they are evidence of.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MATCH_COLUMNS = ("account_key", "hit_key", "review_item_id")


def _governed() -> list[sa.Column[Any]]:
    when = sa.DateTime(timezone=True)
    return [
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("owner_org", sa.String(), nullable=False, index=True),
        sa.Column("forum_id", sa.String(), nullable=True, index=True),
        sa.Column("tlp", sa.String(), nullable=False, index=True),
        sa.Column("created_at", when, nullable=False, index=True),
        sa.Column("modified_at", when, nullable=False, index=True),
        sa.Column("expires_at", when, nullable=True, index=True),
    ]


def upgrade() -> None:
    op.create_table(
        "review_items",
        *_governed(),
        sa.Column("group_key", sa.String(), nullable=False, index=True),
        sa.Column("kind", sa.String(), nullable=False, index=True),
        sa.Column("operation_id", sa.String(), nullable=True, index=True),
        sa.Column("platform", sa.String(), nullable=True, index=True),
        sa.Column("status", sa.String(), nullable=False, index=True),
        sa.PrimaryKeyConstraint("id", name="pk_review_items"),
    )
    op.create_table(
        "review_keys",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_keys"),
    )
    op.create_table(
        "signal_watches",
        *_governed(),
        sa.Column("signal_id", sa.String(), nullable=False, index=True),
        sa.PrimaryKeyConstraint("id", name="pk_signal_watches"),
    )
    with op.batch_alter_table("matches") as matches:
        for column in _MATCH_COLUMNS:
            matches.add_column(sa.Column(column, sa.String(), nullable=True))
            matches.create_index(f"ix_matches_{column}", [column])


def downgrade() -> None:
    with op.batch_alter_table("matches") as matches:
        for column in _MATCH_COLUMNS:
            matches.drop_index(f"ix_matches_{column}")
            matches.drop_column(column)
    recipients = sa.table("record_recipients", sa.column("record_type", sa.String()))
    op.execute(sa.delete(recipients).where(recipients.c.record_type.in_(["review_item", "signal_watch"])))
    op.drop_table("signal_watches")
    op.drop_table("review_keys")
    op.drop_table("review_items")

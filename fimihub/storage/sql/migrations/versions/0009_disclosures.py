"""Peer disclosures: the records an import creates (publisher, title, date, URL, files).

A disclosure's files, figures, kill-chain phases and the ids of the signals and operations it brought in are
in the JSON ``body``; the columns are the governance envelope and what listings filter on: the publisher
and the format the import read.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        "disclosures",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("owner_org", sa.String(), nullable=False, index=True),
        sa.Column("forum_id", sa.String(), nullable=True, index=True),
        sa.Column("tlp", sa.String(), nullable=False, index=True),
        sa.Column("created_at", when, nullable=False, index=True),
        sa.Column("modified_at", when, nullable=False, index=True),
        sa.Column("expires_at", when, nullable=True, index=True),
        sa.Column("format", sa.String(), nullable=False, index=True),
        sa.Column("publisher", sa.String(), nullable=False, index=True),
        sa.PrimaryKeyConstraint("id", name="pk_disclosures"),
    )


def downgrade() -> None:
    recipients = sa.table("record_recipients", sa.column("record_type", sa.String()))
    op.execute(sa.delete(recipients).where(recipients.c.record_type == "disclosure"))
    op.drop_table("disclosures")

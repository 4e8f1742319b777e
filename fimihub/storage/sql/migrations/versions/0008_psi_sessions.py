"""Private matching: the sessions of private set intersections the hub relays between two organisations.

A session keeps the requester's blinded request and the responder's answer (opaque PSI messages, base64, in
the JSON ``body``); the columns are the governance envelope and what listings filter on: the responder
organisation and the session's status. Its one recipient (the responder) is in ``record_recipients``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        "psi_sessions",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("owner_org", sa.String(), nullable=False, index=True),
        sa.Column("forum_id", sa.String(), nullable=True, index=True),
        sa.Column("tlp", sa.String(), nullable=False, index=True),
        sa.Column("created_at", when, nullable=False, index=True),
        sa.Column("modified_at", when, nullable=False, index=True),
        sa.Column("expires_at", when, nullable=True, index=True),
        sa.Column("responder_org", sa.String(), nullable=False, index=True),
        sa.Column("status", sa.String(), nullable=False, index=True),
        sa.PrimaryKeyConstraint("id", name="pk_psi_sessions"),
    )


def downgrade() -> None:
    recipients = sa.table("record_recipients", sa.column("record_type", sa.String()))
    op.execute(sa.delete(recipients).where(recipients.c.record_type == "psi_session"))
    op.drop_table("psi_sessions")

"""Forum keys: the secrets that key the pseudonyms of personal identifiers shared in each forum.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forum_keys",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("forum_id", sa.String(), nullable=False, index=True),
        sa.PrimaryKeyConstraint("id", name="pk_forum_keys"),
    )


def downgrade() -> None:
    op.drop_table("forum_keys")

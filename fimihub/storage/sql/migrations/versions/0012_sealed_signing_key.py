"""The hub's signing key is sealed at rest: its column holds the sealed text, longer than 64 hex digits.

The values themselves are sealed by the store when it is next opened with its at-rest key (see
``fimihub/storage/vault.py`` and ``storage/sql/atrest.py``); a migration has no key to seal with.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hub_signing_key") as table:
        table.alter_column(
            "private_key", type_=sa.String(), existing_type=sa.String(64), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("hub_signing_key") as table:
        table.alter_column(
            "private_key", type_=sa.String(64), existing_type=sa.String(), existing_nullable=False
        )

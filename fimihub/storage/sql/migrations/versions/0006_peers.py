"""Federation: peers and their sync checkpoints, trusted Ed25519 keys, and the hub's own signing key.

The ``hub_signing_key`` row is created here with a fresh random Ed25519 private key (any 32 random bytes are
one), so every worker of a hub signs with the same key from its first start.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        "peers",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("credentials", sa.JSON(), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("modified_at", when, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_peers"),
    )
    op.create_table(
        "peer_checkpoints",
        sa.Column("peer", sa.String(), nullable=False),
        sa.Column("collection_id", sa.String(), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("position", sa.String(), nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.PrimaryKeyConstraint("peer", "collection_id", "direction", name="pk_peer_checkpoints"),
    )
    op.create_table(
        "trusted_keys",
        sa.Column("key_id", sa.String(), nullable=False),
        sa.Column("public_key", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("peer", sa.String(), nullable=True, index=True),
        sa.Column("added_at", when, nullable=False),
        sa.PrimaryKeyConstraint("key_id", name="pk_trusted_keys"),
    )
    key = op.create_table(
        "hub_signing_key",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("private_key", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hub_signing_key"),
    )
    op.bulk_insert(key, [{"id": 1, "private_key": secrets.token_hex(32)}])


def downgrade() -> None:
    op.drop_table("hub_signing_key")
    op.drop_index("ix_trusted_keys_peer", table_name="trusted_keys")
    op.drop_table("trusted_keys")
    op.drop_table("peer_checkpoints")
    op.drop_table("peers")

"""Platform identifiers in the review queue: clear account and post ids dropped from stored matches.

From this revision a match keeps the account and post ids of the member's item sealed to the member
organisation's identifier key (``account_sealed``, ``post_sealed``, ``identifier_key_id``), and a resurgence
candidate's item as the account's keyed hash. No indexed column ever held them (only the JSON ``body``), so
no column is dropped; what this revision does is take the clear values out of the bodies of matches stored
before it:

* ``account_id`` and ``post_id`` are removed from every match's body;
* a resurgence candidate's ``item_value`` (``platform:account id`` in clear) becomes ``(withheld)``.

A migration cannot seal them instead: only the organisation's public key can, and an organisation registers
one only after this revision. The member still holds the ids in its own data (and in the ``--out`` file of
the scan that found them). On SQLite the removed text may linger in free pages of the database file until
``VACUUM`` runs; on PostgreSQL, until ``VACUUM`` reclaims the old row versions. Downgrading cannot restore
the values.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CLEAR_FIELDS = ("account_id", "post_id")
_WITHHELD = "(withheld)"
_BATCH = 1000


def upgrade() -> None:
    matches = sa.table("matches", sa.column("id", sa.String()), sa.column("body", sa.JSON()))
    bind = op.get_bind()
    after = ""
    while True:
        rows = bind.execute(
            sa.select(matches.c.id, matches.c.body)
            .where(matches.c.id > after)
            .order_by(matches.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for match_id, body in rows:
            cleaned = _without_clear_ids(body)
            if cleaned is not None:
                bind.execute(sa.update(matches).where(matches.c.id == match_id).values(body=cleaned))
        after = rows[-1][0]


def downgrade() -> None:
    """Nothing to undo: the dropped values are gone, and older code reads matches without them."""


def _without_clear_ids(body: Any) -> dict[str, Any] | None:
    """``body`` without clear platform ids, or ``None`` when it has none."""
    if not isinstance(body, dict):
        return None
    cleaned = {k: v for k, v in body.items() if k not in _CLEAR_FIELDS}
    if body.get("fingerprint_id") and body.get("item_kind") == "account_id" and not body.get("item_key_id"):
        cleaned["item_value"] = _WITHHELD
    return cleaned if cleaned != body else None

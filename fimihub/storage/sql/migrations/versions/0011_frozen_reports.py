"""Frozen reports: no schema change.

A frozen report (its SHA-256 and the ids of its inputs) and the analysts' versioned report text are kept as
audit events (``report.freeze``, ``report.text``, see :mod:`fimihub.hub.reporting`): the audit log is already
append-only, ordered and tamper-evident, which is what both need. The revision stays in the chain, reserved,
changing nothing.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: see the module's docstring."""


def downgrade() -> None:
    """Nothing to change."""

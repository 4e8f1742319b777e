"""Migration 0007: the clear platform ids of matches stored before sealing are taken out of their bodies."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from fimihub.model import Match
from fimihub.storage import open_store
from fimihub.storage.sql import migrate


def _old_match(match_id: str, **extra: object) -> dict[str, object]:
    return {
        "id": match_id,
        "owner_org": "organisation--b",
        "created_at": "2026-01-01T00:00:00Z",
        "modified_at": "2026-01-01T00:00:00Z",
        "marking": {"tlp": "amber+strict"},
        "item_kind": "domain",
        "item_value": "evil-news.example",
        "platform": "x",
        "account_id": "acct-31337",
        "post_id": "post-31337",
        **extra,
    }


def test_clear_ids_leave_old_matches(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    matches = sa.table(
        "matches",
        sa.column("id", sa.String()),
        sa.column("body", sa.JSON()),
        sa.column("owner_org", sa.String()),
        sa.column("tlp", sa.String()),
        sa.column("created_at", sa.String()),
        sa.column("modified_at", sa.String()),
        sa.column("signal_id", sa.String()),
        sa.column("fingerprint_id", sa.String()),
        sa.column("status", sa.String()),
    )
    bodies = [
        _old_match("match--1", signal_id="signal--1", signal_kind="domain"),
        _old_match(
            "match--2",
            fingerprint_id="fingerprint--1",
            item_kind="account_id",
            item_value="x:acct-31337",
            post_id=None,
        ),
    ]
    with engine.begin() as conn:
        migrate.upgrade(conn, "0006")
        for body in bodies:
            conn.execute(
                sa.insert(matches).values(
                    id=body["id"],
                    body=body,
                    owner_org="organisation--b",
                    tlp="amber+strict",
                    created_at="2026-01-01 00:00:00.000000",
                    modified_at="2026-01-01 00:00:00.000000",
                    signal_id=body.get("signal_id"),
                    fingerprint_id=body.get("fingerprint_id"),
                    status="pending",
                )
            )
    engine.dispose()
    store = open_store(str(path))  # migrates to the newest revision
    try:
        with store.unit_of_work(read_only=True) as uow:
            first, second = uow.get(Match, "match--1"), uow.get(Match, "match--2")
        assert first is not None and second is not None
        assert first.item_value == "evil-news.example" and first.platform == "x"
        assert second.item_value == "(withheld)" and second.account_sealed is None
        dumped = first.model_dump_json() + second.model_dump_json()
        assert "31337" not in dumped
    finally:
        store.close()

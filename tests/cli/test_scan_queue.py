"""On the demo hub, with a simulated export of the same seed: a scan queues at most one review item per
account and operation, a second scan of the same file queues none, and confirming an item records the action
and tells the sharer."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pytest

from fimihub import Hub, Settings
from fimihub.cli import main
from fimihub.model import Action, ReviewItem

SEED = "7"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """The demo hub, the member its token signs in, and a simulated export of the same seed."""
    folder = tmp_path_factory.mktemp("queue")
    db = folder / "demo.db"
    result = folder / "demo.txt"
    assert main(["demo", "--no-serve", "--seed", SEED, "--db", str(db), "--token-file", str(result)]) == 0
    assert main(["sim", "generate", "--seed", SEED, "--out", str(folder / "world")]) == 0
    with Hub.open(Settings(db=str(db))) as hub:
        (member,) = [
            m for m in hub.admin.members(hub.operator()) if "admin" in m.roles and "analyst" in m.roles
        ]
    return db, member.id, folder / "world" / "posts.parquet"


def _json(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 0) -> dict[str, Any]:
    capsys.readouterr()
    assert main(argv) == code
    answer: dict[str, Any] = json.loads(capsys.readouterr().out)
    return answer


def test_scanning_twice_queues_each_account_and_operation_once(
    demo: tuple[Path, str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, member, posts = demo
    out = tmp_path / "hits.csv"
    scan = ["scan", str(posts), "--db", str(db), "--member", member, "--workers", "1", "--json"]
    first = _json(capsys, [*scan, "--out", str(out)])
    assert first["hits"] > 0 and 0 < first["queued"] <= first["hits"] and first["matches"] == first["hits"]
    # The clear output says which accounts and operations were hit: no more items than those pairs.
    rows = pacsv.read_csv(out).to_pylist()
    pairs = {(r["platform"], str(r["account_id"]), r["operation_id"]) for r in rows}
    assert first["queued"] <= len(pairs) < first["hits"]
    with Hub.open(Settings(db=str(db))) as hub:
        actor = hub.admin.actor(member)
        with hub.store.unit_of_work(read_only=True) as uow:
            stored = uow.find(ReviewItem, where={"owner_org": actor.org.id})
    items = [i for i in stored if f"scan:{posts.name}" in i.sources]  # the demo queued candidates of its own
    assert len(items) == first["queued"]
    per_pair = Counter((i.account_keys, i.operation_id) for i in items if i.kind.value == "account")
    assert per_pair and max(per_pair.values()) == 1 and all(len(k) == 1 for k, _ in per_pair)
    again = _json(capsys, scan)
    assert again["hits"] == first["hits"] and again["queued"] == 0
    assert again["matches"] == 0 and again["duplicates"] == first["hits"]
    listed = _json(capsys, ["review", "list", "--db", str(db), "--member", member, "--json", "--limit", "5"])
    assert listed["total"] == len(stored) and len(listed["items"]) == 5


def test_confirming_an_item_acts_and_the_sharer_sees_the_feedback(
    demo: tuple[Path, str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, member, posts = demo
    scan = ["scan", str(posts), "--db", str(db), "--member", member, "--workers", "1", "--json"]
    _json(capsys, scan)  # queued by the test above, or now when it runs alone
    with Hub.open(Settings(db=str(db))) as hub:
        actor = hub.admin.actor(member)
        page = hub.review.list(actor)
        item = next(i for i in page.items if set(i.contributors) - {actor.org.id})
        sharer = next(c for c in item.contributors if c != actor.org.id)
    decide = [
        "review",
        "decide",
        item.id,
        "--db",
        str(db),
        "--member",
        member,
        "--confirm",
        "--action",
        "remove",
    ]
    capsys.readouterr()
    assert main([*decide, "--member-state", "DE", "--member-state", "US"]) == 2
    assert "'US' is not an EU/EEA Member State" in capsys.readouterr().err
    decided = _json(capsys, [*decide, "--member-state", "DE", "--json"])
    (confirmed,) = decided["items"]
    assert confirmed["status"] == "confirmed" and confirmed["action_id"] and confirmed["feedback_ids"]
    capsys.readouterr()
    assert main([*decide, "--member-state", "DE"]) == 7  # decided already: a conflict, nothing changed
    assert "confirmed already" in capsys.readouterr().err
    with Hub.open(Settings(db=str(db))) as hub:
        action = hub.get(hub.admin.actor(member), Action, confirmed["action_id"])
        assert action.member_states == ("DE",) and action.operation_id == item.operation_id
        (reader,) = hub.admin.members(hub.operator(), sharer)[:1]
    summary = _json(capsys, ["review", "feedback", "--db", str(db), "--member", reader.id, "--json"])
    assert summary["totals"]["acted"] >= 1 and summary["totals"]["members"] == 1
    assert {row["signal_id"] for row in summary["signals"]} <= set(item.signal_ids) | set(
        item.fingerprint_ids
    )

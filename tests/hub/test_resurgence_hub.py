"""Resurgence through the hub: fingerprint a disrupted operation, share it, find its return, confirm it."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from fimihub import Hub, NotFound, PermissionDenied, ValidationError, policy
from fimihub.cli import main
from fimihub.hub.resurgence import scan_against_disrupted
from fimihub.model import Asset, Fingerprint, Match, Operation, Signal
from fimihub.sim import World, WorldConfig, generate
from tests.conftest import Cast
from tests.identifiers import register_identifier_keys


@pytest.fixture(scope="module")
def world() -> World:
    return generate(WorldConfig(seed=21))


@pytest.fixture(scope="module")
def split(world: World, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, set[str]]:
    """The removed accounts' posts (wave 0, labelled), everything else, and the returning accounts."""
    accounts = world.accounts.to_pylist()
    removed = {a["account_id"] for a in accounts if a["operation"] and a["wave"] == 0}
    returning = {f"{a['platform']}:{a['account_id']}" for a in accounts if a["operation"] and a["wave"] > 0}
    mask = pc.is_in(world.posts.column("account_id"), value_set=pa.array(sorted(removed)))
    folder = tmp_path_factory.mktemp("split")
    pq.write_table(world.posts.filter(mask), folder / "removed.parquet")
    pq.write_table(world.posts.filter(pc.invert(mask)), folder / "new.parquet")
    return folder / "removed.parquet", folder / "new.parquet", returning


def _disrupted_operation(cast: Cast, world: World) -> tuple[str, str]:
    """Platform A records the simulator's first operation, its removed accounts and signals, in forum F."""
    sim_op = world.truth.operations[0]
    op = cast.hub.create(
        cast.analyst_a,
        Operation,
        {"name": sim_op.name, "status": "disrupted", "forum_id": cast.forum_id},
    )
    wave0 = [a for a in world.accounts.to_pylist() if a["operation"] == sim_op.id and a["wave"] == 0]
    assets = [
        {"operation_id": op.id, "platform": a["platform"], "kind": "account", "handle": a["handle"]}
        for a in wave0
    ]
    cast.hub.create_many(cast.analyst_a, Asset, [{**a, "forum_id": cast.forum_id} for a in assets])
    signals = (
        [{"kind": "domain", "value": d} for d in sim_op.domains]
        + [{"kind": "hashtag", "value": h} for h in sim_op.hashtags]
        + [{"kind": "pdq", "value": h, "quality": 100} for h in sim_op.image_hashes]
        + [{"kind": "text", "value": t} for t in sim_op.text_samples]
    )
    cast.hub.create_many(
        cast.analyst_a, Signal, [{**s, "operation_id": op.id, "forum_id": cast.forum_id} for s in signals]
    )
    return op.id, sim_op.id


def test_fingerprint_scan_review(cast: Cast, world: World, split: tuple[Path, Path, set[str]]) -> None:
    _, new, returning = split
    op_id, sim_id = _disrupted_operation(cast, world)
    fp = cast.hub.resurgence.fingerprint_operation(cast.analyst_a, op_id)
    assert fp.forum_id == cast.forum_id and fp.operation_id == op_id and fp.accounts > 0
    # No handle of the removed accounts is in the shared fingerprint, only keyed patterns.
    text = json.dumps(fp.features)
    sim_op = world.truth.operations[0]
    # (Pages named after the operation's own news sites share their names with its domains: not personal.)
    handles = [
        a["handle"]
        for a in world.accounts.to_pylist()
        if a["operation"] == sim_id and not any(a["handle"] in d for d in sim_op.domains)
    ]
    assert handles and not any(h in text for h in handles)
    assert fp.features["handle_patterns"]

    with pytest.raises(ValidationError) as exc:  # B's queue would hold account ids: B needs a key first
        cast.hub.resurgence.scan(cast.analyst_b, new)
    assert exc.value.field == "identifier_key"
    assert cast.hub.list(cast.analyst_b, Match).items == []
    private = register_identifier_keys(cast.hub, cast.org_b)[cast.org_b].private_key
    summary = cast.hub.resurgence.scan(cast.analyst_b, new, out=new.parent / "b.csv")
    assert summary.fingerprints == 1 and summary.queued == summary.flagged > 0
    queue = cast.hub.list(cast.analyst_b, Match, where={"fingerprint_id": fp.id}).items
    assert len(queue) == summary.queued
    ops_returning = {
        f"{a['platform']}:{a['account_id']}"
        for a in world.accounts.to_pylist()
        if a["operation"] == sim_id and a["wave"] > 0
    }
    # The queue holds each account's id sealed to B's key, and as its item the account's keyed hash.
    found = {f"{m.platform}:{policy.open_sealed(private, m.account_sealed or '')}" for m in queue}
    key = cast.hub.keys.forum_key(cast.analyst_b, cast.forum_id)
    assert {m.item_value for m in queue} == {policy.pseudonymise(key.key, "account_id", a) for a in found}
    assert all(m.item_key_id == key.id for m in queue)
    assert found <= returning  # nothing benign queued
    assert len(found & ops_returning) >= 0.9 * len(ops_returning)
    assert all(m.operation_id == op_id and m.evidence for m in queue)

    # A reviewer's confirmation makes the account a recidivist asset of the operation, B's own.
    confirmed = cast.hub.matching.review(cast.analyst_b, queue[0].id, "confirmed")
    assert confirmed.status.value == "confirmed"
    recidivists = [
        a
        for a in cast.hub.list(cast.analyst_b, Asset, where={"operation_id": op_id}, limit=1000).items
        if a.recidivist
    ]
    assert [(a.platform, a.external_id, a.owner_org) for a in recidivists] == [
        (queue[0].platform, queue[0].item_value, cast.org_b)
    ]
    sealed = recidivists[0].external_id_sealed or ""
    assert policy.open_sealed(private, sealed) == policy.open_sealed(private, queue[0].account_sealed or "")
    assert recidivists[0].external_id_key_id == key.id
    # Confirming again adds nothing.
    cast.hub.matching.review(cast.analyst_b, queue[0].id, "confirmed")
    again = cast.hub.list(cast.analyst_b, Asset, where={"operation_id": op_id}, limit=1000).items
    assert sum(a.recidivist for a in again) == 1


def test_outsiders_have_no_fingerprints(cast: Cast, world: World, split: tuple[Path, Path, set[str]]) -> None:
    _, new, _ = split
    op_id, _ = _disrupted_operation(cast, world)
    cast.hub.resurgence.fingerprint_operation(cast.analyst_a, op_id)
    with pytest.raises(ValidationError) as exc:
        cast.hub.resurgence.scan(cast.analyst_d, new)
    assert exc.value.field == "fingerprints"
    with pytest.raises(PermissionDenied):
        cast.hub.resurgence.scan(cast.hub.operator(), new)
    with pytest.raises(NotFound):
        cast.hub.resurgence.fingerprint_operation(cast.analyst_a, "operation--nope")
    with pytest.raises(NotFound):  # D may not read A's operation
        cast.hub.resurgence.fingerprint_operation(cast.analyst_d, op_id)


def test_disrupted_export_and_cli(
    split: tuple[Path, Path, set[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    removed, new, returning = split

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a scan against --disrupted opens no hub")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(Hub, "open", refused)
    monkeypatch.delenv("FIMIHUB_MEMBER", raising=False)
    out = tmp_path / "candidates.csv"
    argv = ["resurgence", "scan", str(new), "--disrupted", str(removed), "--out", str(out), "--json"]
    assert main(argv) == 0  # no --member, no store
    summary = json.loads(capsys.readouterr().out)
    assert summary["queued"] == 0 and summary["out"] == str(out)
    assert not list(tmp_path.glob("*.db*"))
    strings = pacsv.ConvertOptions(column_types={"account_id": pa.string()})
    rows = pacsv.read_csv(out, convert_options=strings).to_pylist()
    # Every candidate is written, flagged or not; the `flagged` column says which.
    assert len(rows) == summary["candidates"] > summary["flagged"]
    assert {r["flagged"] for r in rows} == {True, False}
    flagged = {f"{r['platform']}:{r['account_id']}" for r in rows if r["flagged"]}
    assert summary["flagged"] == len(flagged) > 0
    precision = len(flagged & returning) / len(flagged)
    recall = len(flagged & returning) / len(returning)
    assert precision >= 0.95 and recall >= 0.9, (precision, recall)

    # The same with no caller from Python, and from tables; --unconfirmed flags every candidate.
    summary_py = scan_against_disrupted(pq.read_table(new), pq.read_table(removed), confirm=False)
    assert summary_py.queued == 0 and summary_py.flagged == summary_py.candidates.num_rows == len(rows)
    assert main([*argv[:5], "--unconfirmed"]) == 0
    assert f"{len(rows):,} candidates, {len(rows):,} flagged" in capsys.readouterr().out
    # --member and --db are not used with --disrupted, and said to be unneeded.
    assert main([*argv, "--member", "member--x", "--db", "hub.db"]) == 0
    assert "--db and --member are not used" in capsys.readouterr().err
    with pytest.raises(ValidationError) as exc:
        scan_against_disrupted(new, new.parent / "missing.parquet")
    assert exc.value.field == "disrupted"


def test_a_member_may_still_scan_against_an_export_through_the_hub(
    cast: Cast, split: tuple[Path, Path, set[str]]
) -> None:
    removed, new, _ = split
    summary = cast.hub.resurgence.scan(cast.analyst_b, new, disrupted=removed)
    assert summary.queued == 0 and summary.flagged > 0
    with pytest.raises(PermissionDenied):
        cast.hub.resurgence.scan(cast.hub.operator(), new, disrupted=removed)


def test_fingerprint_records_are_checked(cast: Cast) -> None:
    op = cast.hub.create(cast.analyst_a, Operation, {"name": "Op"})
    with pytest.raises(ValidationError) as exc:
        cast.hub.create(
            cast.analyst_a,
            Fingerprint,
            {"operation_id": op.id, "features": {"format": "fimihub-fingerprint", "version": 99}},
        )
    assert exc.value.field.startswith("features.")
    with pytest.raises(ValidationError) as exc:
        cast.hub.resurgence.fingerprint_operation(cast.analyst_a, op.id, forum_id=cast.forum_id)
    assert exc.value.field == "operation_id"  # nothing to fingerprint yet

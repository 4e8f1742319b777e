"""Importing peers' disclosures through the hub: records owned by a disclosure, one unit of work per file,
forums and markings, overlaps with the member's own records, and scans finding imported indicators."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from fimihub import NotFound, PermissionDenied, Signal
from fimihub.model import Disclosure, Operation
from tests.conftest import Cast
from tests.identifiers import register_identifier_keys

META = Path(__file__).resolve().parents[3] / "shared" / "data" / "peer-disclosures" / "meta"
IRAN = META / "Q3_2023_Iran-based_recidivist_CIB_cluster.csv"
MOLDOVA = META / "meta-h2-2025-moldova-based-cib-network.md"


@pytest.fixture(autouse=True)
def _data() -> None:
    if not META.is_dir():
        pytest.skip(f"Meta's indicator files are not here ({META}): the shared test data is absent")


def test_an_import_makes_a_disclosure_that_owns_its_signals_and_operation(cast: Cast) -> None:
    hub = cast.hub
    summary = hub.disclosures.import_files(cast.analyst_a, "meta-threat-research", [IRAN, MOLDOVA])
    assert summary.files == 2 and summary.failed_files == 0
    assert summary.imported == {"domain": 4, "handle": 12}
    assert [(s.line, s.file) for s in summary.skipped] == [(11, str(IRAN))]
    disclosures = [hub.disclosures.get(cast.analyst_a, d) for d in summary.disclosures]
    iran = disclosures[0]
    assert iran.owner_org == cast.org_a and iran.forum_id is None
    assert iran.publisher == "Meta" and iran.format == "meta-threat-research"
    assert iran.files[0].name == IRAN.name and len(iran.files[0].sha256) == 64
    assert iran.tactics == ("TA11", "TA15")
    signals = [hub.get(cast.analyst_a, Signal, s) for s in iran.signal_ids]
    assert {s.value for s in signals} >= {"afgreview.com", "x:afg_review", "telegram:tahlilroz_af"}
    assert {s.owner_org for s in signals} == {cast.org_a}
    (operation_id,) = iran.operation_ids
    assert {s.operation_id for s in signals} == {operation_id}
    operation = hub.get(cast.analyst_a, Operation, operation_id)
    assert operation.detection_partner == "Meta" and operation.status == "disrupted"
    moldova = disclosures[1]
    assert {(f.value, f.unit) for f in moldova.figures} >= {(15, "accounts"), (300, "USD spent on ads")}
    # Private to the importing organisation: nobody else reads it or its signals.
    for outsider in (cast.analyst_b, cast.analyst_d):
        with pytest.raises(NotFound):
            hub.disclosures.get(outsider, iran.id)
        with pytest.raises(NotFound):
            hub.get(outsider, Signal, iran.signal_ids[0])
        assert hub.disclosures.list(outsider) == []
    assert {d.id for d in hub.disclosures.list(cast.analyst_a)} == set(summary.disclosures)


def test_an_import_into_a_forum_shares_it_there(cast: Cast) -> None:
    hub = cast.hub
    summary = hub.disclosures.import_files(
        cast.analyst_a, "meta-threat-research", [IRAN], forum_id=cast.forum_id
    )
    disclosure = hub.disclosures.get(cast.analyst_b, summary.disclosures[0])
    assert disclosure.forum_id == cast.forum_id and disclosure.marking.tlp == "green"
    assert hub.get(cast.analyst_b, Signal, disclosure.signal_ids[0]).forum_id == cast.forum_id
    with pytest.raises(NotFound):
        hub.disclosures.get(cast.analyst_d, disclosure.id)
    # A forum the organisation is not in is refused before anything is read.
    with pytest.raises(NotFound):
        hub.disclosures.import_files(cast.analyst_d, "meta-threat-research", [IRAN], forum_id=cast.forum_id)
    assert hub.disclosures.list(cast.analyst_d) == []


def test_the_operator_and_a_reader_cannot_import(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        cast.hub.disclosures.import_files(cast.hub.operator(), "meta-threat-research", [IRAN])
    with pytest.raises(PermissionDenied):
        cast.hub.disclosures.import_files(cast.reader_a, "meta-threat-research", [IRAN])
    with cast.hub.store.unit_of_work(read_only=True) as uow:
        assert uow.count(Disclosure) == 0


def test_a_file_is_stored_whole_or_not_at_all(cast: Cast, tmp_path: Path) -> None:
    """A file that fails to store leaves nothing behind, and the next file is imported."""
    hub = cast.hub
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01\x02" * 500)
    empty = tmp_path / "empty.md"
    empty.write_text("")
    summary = hub.disclosures.import_files(cast.analyst_a, "meta-threat-research", [bad, empty, IRAN])
    assert summary.failed_files == 2 and summary.files == 1
    reasons = {s.file: s.reason for s in summary.skipped if s.line is None}
    assert "binary" in reasons[str(bad)] and "empty" in reasons[str(empty)]
    with hub.store.unit_of_work(read_only=True) as uow:
        assert uow.count(Disclosure) == 1
        assert uow.count(Signal) == 8


def test_a_failed_write_leaves_nothing_of_the_file(cast: Cast) -> None:
    """The database refuses the disclosure row, written after the file's signals: none of them stays."""
    db = cast.hub.settings.db
    if "://" not in db:
        import sqlite3

        with sqlite3.connect(db) as conn:
            conn.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON disclosures BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
    else:
        import psycopg

        with psycopg.connect(db.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            conn.execute(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ "
                "LANGUAGE plpgsql"
            )
            conn.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON disclosures FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
    summary = cast.hub.disclosures.import_files(cast.analyst_a, "meta-threat-research", [IRAN, MOLDOVA])
    assert summary.files == 0 and summary.failed_files == 2
    assert all("nothing stored" in s.reason for s in summary.skipped if s.line is None)
    with cast.hub.store.unit_of_work(read_only=True) as uow:
        assert uow.count(Signal) == 0
        assert uow.count(Operation) == 0


def test_overlaps_list_only_the_members_own_records(cast: Cast) -> None:
    hub = cast.hub
    mine = hub.create(
        cast.analyst_b,
        Operation,
        {"name": "Afghan review network", "techniques": ["T0049"]},
    )
    hub.create_many(
        cast.analyst_b,
        Signal,
        [
            {"kind": "url", "value": "https://afgreview.com/articles/1", "operation_id": mine.id},
            {"kind": "handle", "value": "x:afg_review"},
            {"kind": "domain", "value": "unrelated.example"},
        ],
    )
    # Another organisation's private operation with the same indicators never shows in B's overlaps.
    theirs = hub.create(cast.analyst_d, Operation, {"name": "D's private case"})
    hub.create(
        cast.analyst_d, Signal, {"kind": "domain", "value": "afgreview.com", "operation_id": theirs.id}
    )
    summary = hub.disclosures.import_files(cast.analyst_b, "meta-threat-research", [IRAN])
    shared = {(o.record, o.label): {(s["what"], s["value"]) for s in o.shared} for o in summary.overlaps}
    assert shared[("signal", "url https://afgreview.com/articles/1")] == {("domain", "afgreview.com")}
    assert shared[("signal", "handle x:afg_review")] == {("handle", "x:afg_review")}
    assert shared[("operation", "Afghan review network")] == {("domain", "afgreview.com")}
    assert not any(o.id == theirs.id or "D's" in o.label for o in summary.overlaps)
    assert {o.id for o in hub.disclosures.compare(cast.analyst_b, summary.disclosures[0])} == {
        o.id for o in summary.overlaps
    }
    # D compares a disclosure it cannot read: not found, nothing revealed.
    with pytest.raises(NotFound):
        hub.disclosures.compare(cast.analyst_d, summary.disclosures[0])
    # D's own import overlaps D's own operation only.
    own = hub.disclosures.import_files(cast.analyst_d, "meta-threat-research", [IRAN])
    assert {o.id for o in own.overlaps if o.record == "operation"} == {theirs.id}


def test_a_scan_finds_an_imported_indicator(cast: Cast, tmp_path: Path) -> None:
    register_identifier_keys(cast.hub, cast.org_a)
    cast.hub.disclosures.import_files(cast.analyst_a, "meta-threat-research", [IRAN])
    rows = {
        "platform": ["facebook", "facebook"],
        "account_id": ["1", "2"],
        "handle": ["one", "two"],
        "post_id": ["p1", "p2"],
        "text": ["read this", "nothing"],
        "urls": ["https://www.tahlilroz.com/news/1", "https://ok.example/"],
        "hashtags": ["", ""],
        "image_pdq": ["", ""],
    }
    path = tmp_path / "export.parquet"
    pq.write_table(pa.table(rows), path)
    out = tmp_path / "hits.csv"
    summary = cast.hub.scan(cast.analyst_a, path, out=out)
    assert summary.hits >= 1
    assert {r["post_id"] for r in pacsv.read_csv(out).to_pylist()} == {"p1"}


def test_a_stix_bundle_campaign_becomes_the_operation_of_its_indicators(cast: Cast, tmp_path: Path) -> None:
    ids = {
        name: f"{name}--0f1bd1f2-4a8b-4bde-8a6e-4e8f7f0f7a1{n}"
        for n, name in enumerate(("identity", "campaign"))
    }
    indicator = "indicator--0f1bd1f2-4a8b-4bde-8a6e-4e8f7f0f7a12"
    when = {
        "spec_version": "2.1",
        "created": "2025-01-01T00:00:00.000Z",
        "modified": "2025-01-01T00:00:00.000Z",
    }
    objects = [
        {
            "type": "identity",
            "id": ids["identity"],
            "name": "Research Lab",
            "identity_class": "organization",
            **when,
        },
        {
            "type": "campaign",
            "id": ids["campaign"],
            "name": "Spoofed outlets",
            "created_by_ref": ids["identity"],
            **when,
        },
        {
            "type": "indicator",
            "id": indicator,
            "pattern": "[url:value = 'https://spoof-outlet.example/a']",
            "pattern_type": "stix",
            "valid_from": "2025-01-01T00:00:00Z",
            "created_by_ref": ids["identity"],
            **when,
        },
        {
            "type": "relationship",
            "id": "relationship--0f1bd1f2-4a8b-4bde-8a6e-4e8f7f0f7a13",
            "relationship_type": "indicates",
            "source_ref": indicator,
            "target_ref": ids["campaign"],
            **when,
        },
    ]
    path = tmp_path / "bundle.json"
    path.write_text(
        json.dumps(
            {"type": "bundle", "id": "bundle--3a8d7d47-64c4-4b43-9a4f-7a4a31d4b1a2", "objects": objects}
        )
    )
    summary = cast.hub.disclosures.import_files(cast.analyst_a, "stix", [path])
    disclosure = cast.hub.disclosures.get(cast.analyst_a, summary.disclosures[0])
    assert disclosure.publisher == "Research Lab" and disclosure.title == "Spoofed outlets"
    (operation_id,) = disclosure.operation_ids
    operation = cast.hub.get(cast.analyst_a, Operation, operation_id)
    assert operation.name == "Spoofed outlets" and operation.owner_org == cast.org_a
    (signal_id,) = disclosure.signal_ids
    signal = cast.hub.get(cast.analyst_a, Signal, signal_id)
    assert signal.value == "https://spoof-outlet.example/a" and signal.operation_id == operation_id


def test_near_duplicate_images_overlap(cast: Cast, tmp_path: Path) -> None:
    pdq = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    near = pdq[:-1] + "3"  # one bit apart
    far = "".join("0" if c != "0" else "f" for c in pdq)  # every nibble changed
    mine = cast.hub.create(cast.analyst_b, Signal, {"kind": "pdq", "value": pdq})
    path = tmp_path / "images.csv"
    path.write_text(f"hash\n{near}\n{far}\n")
    summary = cast.hub.disclosures.import_files(
        cast.analyst_b, "csv", [path], options={"columns": {"value": "hash"}, "kind": "pdq"}
    )
    assert summary.imported == {"pdq": 2}
    (overlap,) = summary.overlaps
    assert overlap.id == mine.id
    assert [(s["what"], s["value"], s["distance"]) for s in overlap.shared] == [("image", near, "1")]

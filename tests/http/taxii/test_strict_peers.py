"""What a demo hub publishes passes strict STIX parsers: every object of every collection, signed as the hub
serves it, and the whole export of its shared records, parse with ``stix2.parse(…, allow_custom=False)``;
the OASIS TLP definitions are served exactly as OASIS publishes them, unsigned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stix2

from fimihub import Hub
from fimihub.exchange.stix import TLP_MARKING_IDS, signing, tlp_marking_definition, to_stix_objects
from fimihub.hub.demo import seed_demo
from fimihub.hub.taxii.resources import StixFilters
from fimihub.model import Action, Asset, Feedback, Fingerprint, Operation, Signal
from fimihub.settings import Settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    path: Path = tmp_path_factory.mktemp("demo") / "hub.db"
    with Hub.open(Settings(db=str(path))) as hub:
        seed_demo(hub)
        yield hub


def _collection_objects(hub: Hub) -> list[dict[str, Any]]:
    op = hub.operator()
    found: list[dict[str, Any]] = []
    for collection in hub.taxii.collections(op):
        filters = StixFilters(limit=1000)
        while True:
            page = hub.taxii.objects(op, collection.id, filters)
            found += [e.body for e in page.entries]
            if not page.more:
                break
            filters = StixFilters(limit=1000, next=page.next)
    return found


def test_every_object_in_the_demo_collections_parses_strictly(demo: Hub) -> None:
    objects = _collection_objects(demo)
    assert len(objects) > 300
    refused = []
    for obj in objects:
        try:
            stix2.parse(obj, allow_custom=False)
        except stix2.exceptions.STIXError as exc:
            refused.append(f"{obj['id']}: {exc}")
    assert refused == []
    unsigned = {o["id"] for o in objects if not signing.is_signed(o)}
    assert unsigned and all(
        i in TLP_MARKING_IDS.values() or i.startswith("extension-definition--") for i in unsigned
    )
    assert not [o for o in objects if signing.LEGACY_SIGNATURE_PROPERTY in o]


def test_the_demo_collections_serve_the_oasis_tlp_definitions_as_oasis_publishes_them(demo: Hub) -> None:
    served = {o["id"]: o for o in _collection_objects(demo) if o["type"] == "marking-definition"}
    tlps = [served[i] for i in TLP_MARKING_IDS.values() if i in served]
    assert tlps
    for definition in tlps:
        level = next(t for t, i in TLP_MARKING_IDS.items() if i == definition["id"])
        assert definition == tlp_marking_definition(level)
        assert not signing.is_signed(definition)


def test_a_demo_sized_export_parses_strictly(demo: Hub) -> None:
    op = demo.operator()
    records: list[Any] = []
    for kind in (Operation, Asset, Signal, Action, Feedback, Fingerprint):
        records += demo.list(op, kind, limit=1000).items
    objects = to_stix_objects(records)
    assert len(objects) > 500
    assert {o["type"] for o in objects} >= {"campaign", "indicator", "sighting", "attack-pattern", "identity"}
    for obj in objects:
        stix2.parse(obj, allow_custom=False)

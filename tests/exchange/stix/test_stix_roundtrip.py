"""model → STIX → model gives back every record exactly, for every record type."""

from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fimihub.exchange.stix import (
    EXTENSION_ID,
    from_stix,
    operation_to_stix,
    signal_to_stix,
    to_stix,
    to_stix_objects,
)
from fimihub.model import TLP, Asset, Governed, Marking
from tests.exchange.stix import strategies as s
from tests.storage import samples

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def round_trip(records: list[Governed]) -> list[Governed]:
    bundle = to_stix(records)
    # Through JSON text, as a peer receives it.
    read = from_stix(json.dumps(bundle, ensure_ascii=False))
    assert read.unknown == ()
    return list(read.records)


def by_id(records: list[Governed]) -> dict[str, Governed]:
    return {r.id: r for r in records}


@FAST
@given(s.operations())
def test_operation_round_trip(operation: Governed) -> None:
    assert round_trip([operation]) == [operation]


@FAST
@given(s.assets())
def test_asset_round_trip(asset: Governed) -> None:
    assert round_trip([asset]) == [asset]


@FAST
@given(s.signals())
def test_signal_round_trip(signal: Governed) -> None:
    assert round_trip([signal]) == [signal]


@FAST
@given(s.actions())
def test_action_round_trip(action: Governed) -> None:
    assert round_trip([action]) == [action]


@FAST
@given(s.feedback())
def test_feedback_round_trip(feedback: Governed) -> None:
    assert round_trip([feedback]) == [feedback]


@FAST
@given(s.fingerprints())
def test_fingerprint_round_trip(fingerprint: Governed) -> None:
    assert round_trip([fingerprint]) == [fingerprint]


@FAST
@given(s.records(max_size=8))
def test_mixed_records_round_trip(records: list[Governed]) -> None:
    assert by_id(round_trip(records)) == by_id(records)


@FAST
@given(s.records(max_size=5), st.randoms())
def test_output_does_not_depend_on_order_or_run(records: list[Governed], rnd: random.Random) -> None:
    first = to_stix_objects(records)
    shuffled = list(records)
    rnd.shuffle(shuffled)
    again = to_stix_objects(shuffled)
    assert sorted(json.dumps(o, sort_keys=True) for o in first) == sorted(
        json.dumps(o, sort_keys=True) for o in again
    )


def test_members_reporting_the_same_account_share_one_observable() -> None:
    mine = samples.asset("asset--a", handle="@fake_news", followers=10)
    theirs = samples.asset(
        "asset--b", handle="@fake_news", owner_org="organisation--b", followers=12, marking=Marking(tlp="red")
    )
    objects = to_stix_objects([mine, theirs])
    accounts = [o for o in objects if o["type"] == "user-account"]
    assert len(accounts) == 1
    assert [e["record_id"] for e in accounts[0]["extensions"][EXTENSION_ID]["assets"]] == [
        "asset--a",
        "asset--b",
    ]
    # The observable is marked as strictly as its strictest record; each record keeps its own level.
    assert "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1" in accounts[0]["object_marking_refs"]
    back = by_id(list(from_stix(objects).records))
    assert back == {"asset--a": mine, "asset--b": theirs}
    assert isinstance(back["asset--a"], Asset) and back["asset--a"].marking.tlp == TLP.AMBER


def test_a_peer_may_tighten_a_marking_but_not_loosen_it() -> None:
    signal = samples.signal(marking=Marking(tlp="green"))
    objects = signal_to_stix(signal)
    red = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
    clear = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
    objects[0]["object_marking_refs"][0] = red
    assert from_stix(objects).signals[0].marking.tlp == TLP.RED
    objects[0]["object_marking_refs"][0] = clear
    assert from_stix(objects).signals[0].marking.tlp == TLP.GREEN


def test_revoked_signals_are_revoked_indicators_and_reported() -> None:
    signal = samples.signal(revoked=True)
    (indicator,) = signal_to_stix(signal)
    assert indicator["revoked"] is True
    read = from_stix([indicator])
    assert read.signals == (signal,)
    assert read.revoked == ("signal--1",)


def test_the_campaign_alone_rebuilds_the_operation() -> None:
    """A TAXII page may hold the campaign without its relationships: nothing is lost."""
    operation = samples.operation(
        techniques=("T0049.001", "T0087"),
        attribution="Agency X",
        attribution_confidence=60,
        continues=("op--0",),
    )
    objects = operation_to_stix(operation)
    countries = len(operation.origin_countries) + len(operation.target_countries)
    assert [o["type"] for o in objects].count("relationship") == 6 + countries
    assert from_stix([objects[0]]).operations == (operation,)


def test_created_and_modified_have_millisecond_precision() -> None:
    (campaign, *_) = operation_to_stix(samples.operation())
    assert campaign["created"] == "2024-05-01T12:00:00.123Z"
    assert campaign["modified"] == "2024-05-01T12:00:00.123Z"
    assert campaign["spec_version"] == "2.1"

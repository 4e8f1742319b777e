"""The domain model refuses bad input with an error naming the field, and normalises what it accepts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fimihub.errors import ValidationError
from fimihub.model import (
    TLP,
    Action,
    Asset,
    Forum,
    Marking,
    Member,
    Operation,
    OperationStatus,
    Organisation,
    Signal,
    parse,
)


def op(**fields: object) -> Operation:
    return parse(Operation, {"id": "operation--1", "owner_org": "org--a", "name": "Doppelganger", **fields})


def field_of(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return exc.value.field


def test_operation_normalises_countries_and_techniques() -> None:
    o = op(origin_countries=["ru"], target_countries=["de", "EL"], techniques=["t0049.001"])
    assert o.origin_countries == ("RU",)
    assert o.target_countries == ("DE", "GR")
    assert o.techniques == ("T0049.001",)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"origin_countries": ["XX"]}, "origin_countries.0"),
        ({"status": "finished"}, "status"),
        ({"operator_type": "alien"}, "operator_type"),
        ({"techniques": ["DISARM-49"]}, "techniques.0"),
        ({"marking": {"tlp": "purple"}}, "marking.tlp"),
        ({"attribution_confidence": 101, "attribution": "x"}, "attribution_confidence"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"description": "x" * 100_001}, "description"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_bad_operation_fields_are_named(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        op(**fields)
    assert field_of(exc) == field


def test_missing_field_is_named() -> None:
    with pytest.raises(ValidationError) as exc:
        parse(Operation, {"id": "operation--1", "owner_org": "org--a"})
    assert exc.value.field == "name"
    assert "required" in exc.value.errors[0][1]


def test_every_bad_field_is_reported() -> None:
    with pytest.raises(ValidationError) as exc:
        op(status="x", origin_countries=["ZZ"])
    assert {f for f, _ in exc.value.errors} == {"status", "origin_countries.0"}


def test_external_detection_needs_partner() -> None:
    with pytest.raises(ValidationError, match="detection_partner"):
        op(detection_source="external")
    assert op(detection_source="external", detection_partner="DFR partner").detection_partner


def test_seen_dates_are_ordered_and_made_utc() -> None:
    start = datetime(2024, 1, 1, 12, 0)  # naive: taken as UTC
    o = op(first_seen=start, last_seen=start + timedelta(days=3))
    assert o.first_seen is not None and o.first_seen.tzinfo is not None
    with pytest.raises(ValidationError):
        op(first_seen=start, last_seen=start - timedelta(days=1))


def test_status_life() -> None:
    assert OperationStatus.INVESTIGATING.may_become(OperationStatus.DISRUPTED)
    assert OperationStatus.DISRUPTED.may_become(OperationStatus.MONITORING)
    assert not OperationStatus.DISRUPTED.may_become(OperationStatus.INVESTIGATING)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("TLP:AMBER+STRICT", TLP.AMBER_STRICT),
        ("white", TLP.CLEAR),
        ("Red", TLP.RED),
        ("amber_strict", TLP.AMBER_STRICT),
    ],
)
def test_tlp_spellings(text: str, level: TLP) -> None:
    assert parse(Marking, {"tlp": text}).tlp is level


def test_red_recipients_only_on_red() -> None:
    with pytest.raises(ValidationError):
        parse(Marking, {"tlp": "amber", "recipient_members": ["member--1"]})
    assert parse(Marking, {"tlp": "red", "recipient_members": ["member--1"]}).recipient_members == (
        "member--1",
    )


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        ("md5", "D41D8CD98F00B204E9800998ECF8427E", True),
        ("md5", "d41d8cd98f00b204e9800998ecf8427", False),
        ("sha256", "zz" * 32, False),
        ("pdq", "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22", True),
        ("account_id", "12345", False),  # personal identifiers travel only as keyed hashes
        ("domain", "   ", False),
        ("telepathy", "x", False),
    ],
)
def test_signal_values_fit_their_kind(kind: str, value: str, ok: bool) -> None:
    data = {"id": "signal--1", "owner_org": "org--a", "kind": kind, "value": value}
    if ok:
        assert parse(Signal, data).value == value.lower()
    else:
        with pytest.raises(ValidationError):
            parse(Signal, data)


def test_signal_value_length_is_capped() -> None:
    with pytest.raises(ValidationError) as exc:
        parse(Signal, {"id": "s", "owner_org": "o", "kind": "phrase", "value": "x" * 10_000})
    assert exc.value.field == "value"


def test_asset_needs_an_identifier() -> None:
    with pytest.raises(ValidationError):
        parse(Asset, {"id": "asset--1", "owner_org": "o", "platform": "x", "kind": "account"})
    a = parse(
        Asset, {"id": "asset--1", "owner_org": "o", "platform": "Twitter", "kind": "account", "handle": "h"}
    )
    assert a.platform == "x"


def test_action_member_states_are_eu_eea() -> None:
    base = {"id": "action--1", "owner_org": "o", "kind": "remove"}
    assert parse(Action, {**base, "member_states": ["de", "no"]}).member_states == ("DE", "NO")
    with pytest.raises(ValidationError) as exc:
        parse(Action, {**base, "member_states": ["US"]})
    assert exc.value.field == "member_states.0"


def test_people_and_forums() -> None:
    org = parse(Organisation, {"id": "org--1", "name": "Platform", "kind": "platform", "country": "ie"})
    assert org.country == "IE"
    with pytest.raises(ValidationError) as exc:
        parse(Member, {"id": "m", "org_id": org.id, "name": "Ana", "roles": ["wizard"]})
    assert exc.value.field.startswith("roles")
    with pytest.raises(ValidationError):
        parse(Member, {"id": "m", "org_id": org.id, "name": "Ana", "roles": []})
    forum = parse(Forum, {"id": "f", "name": "Task-force", "default_tlp": "TLP:GREEN"})
    assert forum.default_tlp is TLP.GREEN and forum.human_review_required


def test_records_are_immutable_and_evolve_validates() -> None:
    o = op()
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error
        o.name = "other"  # type: ignore[misc]
    assert o.evolve(status="disrupted").status is OperationStatus.DISRUPTED
    with pytest.raises(ValidationError):
        o.evolve(status="nope")


def test_round_trip_through_json() -> None:
    o = op(origin_countries=["RU"], first_seen=datetime(2024, 5, 1, tzinfo=UTC), marking={"tlp": "green"})
    assert parse(Operation, o.model_dump(mode="json")) == o

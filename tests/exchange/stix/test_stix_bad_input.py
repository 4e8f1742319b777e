"""Bad input from peers: a ValidationError that names the object id and the property."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from fimihub.errors import ValidationError
from fimihub.exchange.stix import EXTENSION_ID, from_stix, to_stix, to_stix_objects
from fimihub.model import Case
from tests.storage import samples

RECORDS = [samples.operation(), samples.asset(), samples.signal(), samples.action(), samples.feedback()]


def _objects() -> list[dict[str, Any]]:
    return copy.deepcopy(to_stix_objects(RECORDS))


def _of(objects: list[dict[str, Any]], stix_type: str) -> dict[str, Any]:
    return next(o for o in objects if o["type"] == stix_type)


def _ext(obj: dict[str, Any]) -> dict[str, Any]:
    ext: dict[str, Any] = obj["extensions"][EXTENSION_ID]
    return ext


Breaker = Callable[[list[dict[str, Any]]], tuple[str, str]]


def _no_name(objects: list[dict[str, Any]]) -> tuple[str, str]:
    campaign = _of(objects, "campaign")
    del campaign["name"]
    return campaign["id"], "name"


def _confidence_text(objects: list[dict[str, Any]]) -> tuple[str, str]:
    indicator = _of(objects, "indicator")
    indicator["confidence"] = "high"
    return indicator["id"], "confidence"


def _broken_pattern(objects: list[dict[str, Any]]) -> tuple[str, str]:
    indicator = _of(objects, "indicator")
    indicator["pattern"] = "[domain-name:value = 'example.com]"
    return indicator["id"], "pattern"


def _bad_escape(objects: list[dict[str, Any]]) -> tuple[str, str]:
    indicator = _of(objects, "indicator")
    indicator["pattern"] = r"[domain-name:value = 'a\x']"
    return indicator["id"], "pattern"


def _bad_value(objects: list[dict[str, Any]]) -> tuple[str, str]:
    indicator = _of(objects, "indicator")
    _ext(indicator).update(kind="md5", value="not-hex")
    return indicator["id"], f"extensions.{EXTENSION_ID}.value"


def _unknown_property(objects: list[dict[str, Any]]) -> tuple[str, str]:
    sighting = _of(objects, "sighting")
    _ext(sighting)["mood"] = "tired"
    return sighting["id"], f"extensions.{EXTENSION_ID}.mood"


def _wrong_carrier(objects: list[dict[str, Any]]) -> tuple[str, str]:
    opinion = _of(objects, "opinion")
    _ext(opinion)["record"] = "operation"
    return opinion["id"], f"extensions.{EXTENSION_ID}.record"


def _bad_tlp(objects: list[dict[str, Any]]) -> tuple[str, str]:
    campaign = _of(objects, "campaign")
    _ext(campaign)["tlp"] = "purple"
    return campaign["id"], f"extensions.{EXTENSION_ID}.tlp"


def _no_marking(objects: list[dict[str, Any]]) -> tuple[str, str]:
    campaign = _of(objects, "campaign")
    del campaign["object_marking_refs"]
    return campaign["id"], "object_marking_refs"


def _bad_time(objects: list[dict[str, Any]]) -> tuple[str, str]:
    sighting = _of(objects, "sighting")
    sighting["first_seen"] = "yesterday"
    return sighting["id"], "first_seen"


def _asset_entry(objects: list[dict[str, Any]]) -> tuple[str, str]:
    account = _of(objects, "user-account")
    _ext(account)["assets"][0]["followers"] = -3
    return account["id"], f"extensions.{EXTENSION_ID}.assets[0].followers"


def _extensions_not_object(objects: list[dict[str, Any]]) -> tuple[str, str]:
    opinion = _of(objects, "opinion")
    opinion["extensions"] = ["x"]
    return opinion["id"], "extensions"


def _type_mismatch(objects: list[dict[str, Any]]) -> tuple[str, str]:
    campaign = _of(objects, "campaign")
    campaign["type"] = "indicator"
    return campaign["id"], "type"


@pytest.mark.parametrize(
    "breaker",
    [
        _no_name, _confidence_text, _broken_pattern, _bad_escape, _bad_value, _unknown_property,
        _wrong_carrier, _bad_tlp, _no_marking, _bad_time, _asset_entry, _extensions_not_object,
        _type_mismatch,
    ],
)  # fmt: skip
def test_bad_objects_are_named(breaker: Breaker) -> None:
    objects = _objects()
    object_id, prop = breaker(objects)
    with pytest.raises(ValidationError) as caught:
        from_stix(
            {"type": "bundle", "id": "bundle--9f3b0c9e-3c1c-4c1e-9a57-3c1d2e4f5a6b", "objects": objects}
        )
    assert caught.value.field == f"{object_id}.{prop}"


def test_malformed_input() -> None:
    with pytest.raises(ValidationError, match="not JSON"):
        from_stix("{not json")
    with pytest.raises(ValidationError) as caught:
        from_stix([{"type": "campaign"}])
    assert caught.value.field == "objects[0].id"
    with pytest.raises(ValidationError) as caught:
        from_stix([{"type": "campaign", "id": "campaign--nope"}])
    assert caught.value.field == "objects[0].id"
    with pytest.raises(ValidationError) as caught:
        from_stix([42])  # type: ignore[list-item]
    assert caught.value.field == "objects[0]"
    with pytest.raises(ValidationError):
        from_stix({"type": "bundle", "id": "bundle--9f3b0c9e-3c1c-4c1e-9a57-3c1d2e4f5a6b", "objects": "x"})


def test_a_peer_campaign_without_creator_needs_a_default_owner() -> None:
    campaign = {
        "type": "campaign",
        "spec_version": "2.1",
        "id": "campaign--9f3b0c9e-3c1c-4c1e-9a57-3c1d2e4f5a6b",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "name": "Spamouflage",
    }
    with pytest.raises(ValidationError) as caught:
        from_stix(campaign)
    assert caught.value.field == f"{campaign['id']}.created_by_ref"
    assert (
        from_stix(campaign, default_owner="organisation--peer").operations[0].owner_org
        == "organisation--peer"
    )


def test_records_that_are_not_shared_are_refused_by_position() -> None:
    case = samples.case()
    assert isinstance(case, Case)
    with pytest.raises(ValidationError) as caught:
        to_stix([samples.signal(), case])
    assert caught.value.field == "records[1]"


def test_numbers_that_json_cannot_carry_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        to_stix([samples.operation(ad_spend=float("inf"), ad_spend_currency="EUR")])
    assert caught.value.field == "records[0].ad_spend"

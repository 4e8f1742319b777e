"""A generous reader: every pattern the OASIS grammar accepts is read, each comparison that names something
fimihub matches on becomes a signal, the rest is listed with why; upper-case UUIDs are read; granular
markings count."""

from __future__ import annotations

from typing import Any

import pytest
import stix2
from stix2patterns.validator import run_validator

from fimihub.errors import ValidationError
from fimihub.exchange.stix import from_stix, to_stix
from fimihub.exchange.stix.indicators import read_pattern
from fimihub.exchange.stix.operations import country_location_id
from fimihub.model import TLP, SignalKind
from tests.storage import samples

PEER = "identity--1621d4d4-b67d-41e3-9670-f01faf20d111"
T0 = "2024-03-01T10:00:00.000Z"
MD5 = "3773a88f65a5e780c8dff9cdc3a056f3"  # the hash of OASIS's Poison Ivy example
SHA = "b" * 64
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def _indicator(
    pattern: str, stix_id: str = "indicator--3b8c5d0f-4d2d-4d2f-8b68-4d2e3f5a6b7c", **extra: Any
) -> dict[str, Any]:
    head = {"type": "indicator", "spec_version": "2.1", "id": stix_id, "created": T0, "modified": T0}
    return {
        **head,
        "created_by_ref": PEER,
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": T0,
        **extra,
    }


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (f"[file:hashes.md5 = '{MD5}']", [(SignalKind.MD5, MD5, None)]),
        (f"[file:hashes.MD5 = '{MD5}']", [(SignalKind.MD5, MD5, None)]),
        (f"[file:hashes.'SHA-256' = '{SHA}']", [(SignalKind.SHA256, SHA, None)]),
        (f"[file:hashes.sha256 = '{SHA}']", [(SignalKind.SHA256, SHA, None)]),
        (f"[file:hashes.'sha-256' = '{SHA}']", [(SignalKind.SHA256, SHA, None)]),
        (f"[artifact:hashes.'SHA-256' = '{SHA}']", [(SignalKind.SHA256, SHA, None)]),
        ("[user-account:account_login = 'stopwar_ua']", [(SignalKind.HANDLE, "stopwar_ua", None)]),
        (
            "[user-account:account_type = 'twitter' AND user-account:account_login = 'a' ]",
            [(SignalKind.HANDLE, "x:a", "x")],
        ),
        ("[user-account:user_id = '" + "c" * 64 + "']", [(SignalKind.ACCOUNT_ID, "c" * 64, None)]),
        (
            "[email-addr:value = 'press@news-front.example']",
            [(SignalKind.EMAIL, "press@news-front.example", None)],
        ),
        (
            "[domain-name:value = 'a.example' OR domain-name:value = 'b.example']",
            [(SignalKind.DOMAIN, "a.example", None), (SignalKind.DOMAIN, "b.example", None)],
        ),
        (
            "[domain-name:value = 'a.example'] OR [url:value = 'https://b.example/x']",
            [(SignalKind.DOMAIN, "a.example", None), (SignalKind.URL, "https://b.example/x", None)],
        ),
        (
            "[domain-name:value IN ('a.example', 'it\\'s.example')]",
            [(SignalKind.DOMAIN, "a.example", None), (SignalKind.DOMAIN, "it's.example", None)],
        ),
        (
            "[x-fimihub-signal:kind = 'hashtag' AND x-fimihub-signal:value = 'stopthewar'] WITHIN 5 SECONDS",
            [(SignalKind.HASHTAG, "stopthewar", None)],
        ),
    ],
)
def test_every_comparison_naming_a_signal_becomes_one(pattern: str, expected: list[Any]) -> None:
    assert run_validator(pattern, stix_version="2.1") == []
    reading = read_pattern(pattern)
    assert list(reading.signals) == expected
    assert reading.left == ()


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("[mac-addr:value = '00:00:5e:00:53:01']", "mac-addr:value: fimihub has no signal kind"),
        ("[url:value LIKE 'https://a.example/%']", "url:value LIKE"),
        ("[domain-name:value != 'a.example']", "domain-name:value !="),
        ("[x-fimihub-signal:kind = 'nonsense' AND x-fimihub-signal:value = 'a']", "one kind fimihub knows"),
    ],
)
def test_what_becomes_no_signal_is_said(pattern: str, why: str) -> None:
    reading = read_pattern(pattern)
    assert reading.signals == ()
    assert any(why in left for left in reading.left), reading.left


def test_a_mixed_pattern_keeps_its_signals_and_lists_the_rest() -> None:
    reading = read_pattern(f"[file:hashes.md5 = '{MD5}' AND file:name = 'iexplore.exe']")
    assert reading.signals == ((SignalKind.MD5, MD5, None),)
    assert reading.left == ("file:name: fimihub has no signal kind for this property",)


def test_not_a_pattern_is_refused() -> None:
    with pytest.raises(ValueError):
        read_pattern("[domain-name:value = 'a.example'")
    with pytest.raises(ValidationError) as caught:
        from_stix(_indicator("[nonsense]"), default_owner="organisation--peer")
    assert caught.value.field.endswith(".pattern")


def test_an_indicator_of_several_signals_becomes_several_records_tied_to_it() -> None:
    stix_id = "indicator--3b8c5d0f-4d2d-4d2f-8b68-4d2e3f5a6b7c"
    pattern = (f"[file:hashes.md5 = '{MD5}' OR user-account:account_login = 'stopwar_ua'] "
               "OR [mac-addr:value = '00:00:5e:00:53:01']")  # fmt: skip
    read = from_stix([_indicator(pattern, stix_id)])
    kinds = sorted((s.kind, s.value) for s in read.signals)
    assert kinds == [(SignalKind.HANDLE, "stopwar_ua"), (SignalKind.MD5, MD5)]
    assert read.signals[0].id == "signal--3b8c5d0f-4d2d-4d2f-8b68-4d2e3f5a6b7c"
    assert len({s.id for s in read.signals}) == 2
    assert all(read.carrier_of(s) == stix_id for s in read.signals)
    assert read.notes == (
        (stix_id, "not read as a signal: mac-addr:value: fimihub has no signal kind for this property"),
    )
    # Read again, the same ids: re-posting a feed changes nothing.
    assert {s.id for s in from_stix([_indicator(pattern, stix_id)]).signals} == {s.id for s in read.signals}


def test_an_indicator_that_becomes_no_signal_is_kept_as_is_and_noted() -> None:
    obj = _indicator("[mac-addr:value = '00:00:5e:00:53:01']")
    read = from_stix([obj])
    assert read.signals == () and read.unknown == (obj,)
    assert read.notes and read.notes[0][1].startswith("no signal: mac-addr:value")
    sigma = _indicator("title: x", pattern_type="sigma")
    assert from_stix([sigma]).notes == (
        (sigma["id"], "no signal: pattern_type 'sigma': only STIX patterns become signals"),
    )


def test_upper_case_uuids_are_read_in_lower_case() -> None:
    upper = "indicator--3B8C5D0F-4D2D-4D2F-8B68-4D2E3F5A6B7C"
    obj = _indicator(
        "[domain-name:value = 'a.example']",
        upper,
        created_by_ref=PEER.upper().replace("IDENTITY", "identity"),
    )
    stix2.parse(obj, allow_custom=False)  # the specification accepts it
    (signal,) = from_stix([obj]).signals
    assert signal.id == "signal--3b8c5d0f-4d2d-4d2f-8b68-4d2e3f5a6b7c"
    assert signal.owner_org == PEER


def test_a_stricter_granular_marking_makes_the_record_stricter_with_a_note() -> None:
    granular = [{"marking_ref": RED, "selectors": ["description"]}]
    obj = _indicator("[domain-name:value = 'a.example']", object_marking_refs=[GREEN],
                     description="secret source", granular_markings=granular)  # fmt: skip
    stix2.parse(obj, allow_custom=False)
    read = from_stix([obj])
    (signal,) = read.signals
    assert signal.marking.tlp is TLP.RED
    assert any("granular marking TLP:RED on description" in note for _, note in read.notes)
    looser = {
        **obj,
        "object_marking_refs": [RED],
        "granular_markings": [{"marking_ref": GREEN, "selectors": ["name"]}],
    }
    assert from_stix([looser]).signals[0].marking.tlp is TLP.RED  # a looser part never loosens the whole
    with pytest.raises(ValidationError):
        from_stix([{**obj, "granular_markings": [{"marking_ref": RED, "selectors": "description"}]}])


def test_countries_travel_as_locations_and_a_peers_locations_are_read() -> None:
    op = samples.operation(origin_countries=("RU",), target_countries=("DE", "FR"))
    objects = to_stix([op])["objects"]
    places = {o["country"]: o for o in objects if o["type"] == "location"}
    assert set(places) == {"RU", "DE", "FR"} and places["DE"]["id"] == country_location_id("DE")
    links = {(o["relationship_type"], o["target_ref"]) for o in objects if o["type"] == "relationship"}
    assert ("originates-from", places["RU"]["id"]) in links and ("targets", places["FR"]["id"]) in links
    for obj in places.values():
        stix2.parse(obj, allow_custom=False)
    # A peer's campaign with its own location objects (no extension of ours).
    campaign = "campaign--2a7b4c9e-3c1c-4c1e-9a57-3c1d2e4f5a6b"
    peer_places = [
        {"type": "location", "spec_version": "2.1", "id": f"location--{n}1111111-1111-4111-8111-111111111111",
         "created": T0, "modified": T0, "country": code, "name": code}
        for n, code in enumerate(("ru", "PL", "ZZ"))
    ]  # fmt: skip
    rels = [
        {"type": "relationship", "spec_version": "2.1",
         "id": f"relationship--{n}2222222-2222-4222-8222-222222222222", "created": T0, "modified": T0,
         "relationship_type": kind, "source_ref": campaign, "target_ref": place["id"]}
        for n, (kind, place) in enumerate(
            zip(("originates-from", "targets", "targets"), peer_places, strict=True)
        )
    ]  # fmt: skip
    head = {"type": "campaign", "spec_version": "2.1", "id": campaign, "created": T0, "modified": T0}
    read = from_stix([{**head, "created_by_ref": PEER, "name": "x"}, *peer_places, *rels])
    (operation,) = read.operations
    assert operation.origin_countries == ("RU",) and operation.target_countries == ("PL",)

"""E-mail addresses, phone numbers and account ids in imported files: keyed with the forum's key when the
import names a forum, exactly as the forum's members key them (``hub.keys.pseudonymise``); skipped, saying
why, without a forum or when the forum takes no such signals. Nothing personal is stored in clear."""

from __future__ import annotations

import json
from typing import Any

from fimihub.model import Signal, SignalKind
from tests.conftest import Cast

CSV = (
    "value,kind,platform\n"
    "ops@spoof.example,email,\n"
    "+49 30 1234567,phone,\n"
    "1234567890,account_id,facebook\n"
    "spoof.example,domain,\n"
)
CLEAR = ("ops@spoof.example", "1234567", "1234567890")


def _import(cast: Cast, content: bytes, *, fmt: str = "csv", forum: bool = True) -> dict[str, Any]:
    options = {"columns": {"value": "value", "kind": "kind", "platform": "platform"}} if fmt == "csv" else {}
    summary = cast.hub.disclosures.import_content(
        cast.analyst_a,
        fmt,
        "iocs.csv" if fmt == "csv" else "event.json",
        content,
        forum_id=cast.forum_id if forum else None,
        options=options,
    )
    assert summary.failed_files == 0, summary.skipped
    return summary.to_json()


def _signals(cast: Cast) -> list[Signal]:
    with cast.hub.store.unit_of_work(read_only=True) as uow:
        return uow.find(Signal)


def test_personal_values_are_keyed_with_the_forum_key(cast: Cast) -> None:
    result = _import(cast, CSV.encode())
    assert result["imported"] == {"account_id": 1, "domain": 1, "email": 1, "phone": 1}
    assert result["skipped"] == []
    keys = cast.hub.keys
    expected = {
        (
            SignalKind.EMAIL,
            keys.pseudonymise(cast.analyst_a, cast.forum_id, "email", ["OPS@spoof.example"])[0],
        ),
        (SignalKind.PHONE, keys.pseudonymise(cast.analyst_a, cast.forum_id, "phone", ["+49301234567"])[0]),
        (
            SignalKind.ACCOUNT_ID,
            keys.pseudonymise(cast.analyst_a, cast.forum_id, "account_id", ["facebook:1234567890"])[0],
        ),
    }
    signals = _signals(cast)
    assert {(s.kind, s.value) for s in signals if s.kind.personal} == expected
    stored = json.dumps([s.model_dump(mode="json") for s in signals])
    assert not any(clear in stored for clear in CLEAR)
    # B, a member of the same forum, hashes its own data with the key and finds the same digest.
    b_digest = keys.pseudonymise(cast.analyst_b, cast.forum_id, "email", ["ops@spoof.example"])[0]
    assert (SignalKind.EMAIL, b_digest) in expected
    events = [e for e in cast.hub.audit.events(cast.hub.operator(), limit=1000) if e.action == "import"]
    assert events[-1].detail["keyed"] == 3 and events[-1].detail["key_id"]


def test_without_a_forum_personal_values_are_skipped_saying_why(cast: Cast) -> None:
    result = _import(cast, CSV.encode(), forum=False)
    assert result["imported"] == {"domain": 1}
    reasons = {s["line"]: s["reason"] for s in result["skipped"]}
    assert set(reasons) == {2, 3, 4}
    assert all("keyed hashes" in r and "--forum" in r for r in reasons.values())
    assert [s.kind for s in _signals(cast)] == [SignalKind.DOMAIN]


def test_a_forum_that_takes_no_such_signals_skips_them(cast: Cast) -> None:
    cast.hub.admin.update_forum(cast.hub.operator(), cast.forum_id, {"signal_kinds": ["domain", "email"]})
    result = _import(cast, CSV.encode())
    assert result["imported"] == {"domain": 1, "email": 1}
    reasons = [s["reason"] for s in result["skipped"]]
    assert len(reasons) == 2 and all("takes no" in r for r in reasons)


def test_misp_e_mail_attributes_are_keyed_too(cast: Cast) -> None:
    event = {
        "Event": {
            "info": "Spoofed press office",
            "Orgc": {"name": "CERT-X"},
            "date": "2025-02-01",
            "Attribute": [
                {"type": "email-src", "value": "press@spoof.example"},
                {"type": "phone-number", "value": "not a number"},
            ],
        }
    }
    result = _import(cast, json.dumps(event).encode(), fmt="misp")
    assert result["imported"] == {"email": 1}
    digest = cast.hub.keys.pseudonymise(cast.analyst_a, cast.forum_id, "email", ["press@spoof.example"])[0]
    assert [(s.kind, s.value) for s in _signals(cast)] == [(SignalKind.EMAIL, digest)]
    (skip,) = result["skipped"]
    assert "phone-number" in skip["reason"] and "not a phone number" in skip["reason"]
    # Without a forum, the attribute is named with why it is skipped.
    again = _import(cast, json.dumps(event).encode(), fmt="misp", forum=False)
    assert any("email-src" in s["reason"] and "keyed hashes" in s["reason"] for s in again["skipped"])

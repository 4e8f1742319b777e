"""One canonical JSON (:func:`fimihub.jsontext.canonical`) for everything hashed or signed, and what was
hashed or signed before it still verifies.

The pinned values below were made by the code before the canonical JSON functions became one (the standard
library's ``json.dumps`` in four places): signatures peers hold, audit hashes in every store, anchors kept
by auditors and deterministic observable ids must not change by a byte.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest

from fimihub import jsontext
from fimihub.exchange.stix import signing
from fimihub.exchange.stix.ids import sco_id
from fimihub.model import chain_hash
from fimihub.model.audit import AuditAnchor

_AT = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
#: Unicode in keys and values (also beyond the BMP, and U+2028), floats that orjson would spell differently,
#: an integer beyond 64 bits, nesting and a list whose order counts.
_OBJECT: dict[str, Any] = {
    "type": "indicator",
    "spec_version": "2.1",
    "id": "indicator--0f8d3b2e-5c4a-4f0e-9a57-3c1d2e4f5a6b",
    "created": "2024-05-01T12:00:00.000Z",
    "modified": "2024-05-01T12:00:00.000Z",
    "name": "Ünïcödé — “quotes” \u2028 \U0001f600",
    "pattern": "[domain-name:value = 'bücher.example']",
    "pattern_type": "stix",
    "valid_from": "2024-05-01T12:00:00Z",
    "confidence": 85,
    "x_score": 0.1,
    "x_small": 1e-05,
    "x_big": 1e16,
    "x_huge": 2**70,
    "revoked": False,
    "labels": ["b", "a"],
    "x_nested": {"z": None, "a": [1, {"é": "e", "e": "é"}]},
}
_SIGNATURE = {
    "key_id": "ed25519:56475aa75463474c0285df5dbf2bcab7",
    "alg": "Ed25519",
    "sig": "NaLDMbAstaagdUi7cbQk8pPezUO8QMD63TyRGcbxfF-sWvBAI03m-mp1we44dth5P3rlN0ZUbWDKJl-vRZ1GBQ",
}


def test_a_signature_made_before_still_verifies_and_is_made_again_to_the_byte() -> None:
    keys = signing.KeyPair.from_private(bytes(range(32)))
    signed = {**_OBJECT, signing.LEGACY_SIGNATURE_PROPERTY: _SIGNATURE}
    assert signing.verify(signed, {keys.key_id: keys.public}) is signing.Verdict.VERIFIED
    fresh = signing.sign(_OBJECT, keys)["extensions"][signing.SIGNATURE_EXTENSION_ID]
    assert fresh == {"extension_type": "property-extension", **_SIGNATURE}
    assert signing.canonical_json(signed) == jsontext.canonical(_OBJECT).encode("utf-8")


def test_an_audit_hash_made_before_is_made_again() -> None:
    detail = {"when": _AT, "n": 2**70, "f": 0.1, "s": "Ωmega", "l": [1, None, True]}
    made = chain_hash("0" * 64, 7, _AT, "member--é", "record.create", "operation", "operation--1", detail)
    assert made == "de6ba3acafdb861328976eda498d64b8088914d6edbdb03788a269a3437315c1"


def test_an_anchor_statement_made_before_is_made_again() -> None:
    anchor = AuditAnchor(seq=7, hash="a" * 64, at=_AT, key_id="ed25519:" + "0" * 32)
    assert anchor.statement() == (
        b'{"alg":"Ed25519","at":"2024-05-01T12:00:00.123456+00:00","format":"fimihub-audit-anchor",'
        b'"hash":"' + b"a" * 64 + b'","key_id":"ed25519:' + b"0" * 32 + b'","seq":7,"version":1}'
    )


def test_observable_ids_made_before_are_made_again() -> None:
    props = {"account_type": "x", "user_id": "Ärger", "account_login": None}
    assert sco_id("user-account", props) == "user-account--ba4c2e9f-2625-5244-add7-5bb69cd4ad90"


def test_canonical_is_the_standard_librarys_text_floats_included() -> None:
    expected = json.dumps(_OBJECT, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert jsontext.canonical(_OBJECT) == expected
    assert '"x_small":1e-05' in expected and '"x_big":1e+16' in expected
    assert hashlib.sha256(jsontext.canonical(dict(reversed(_OBJECT.items()))).encode()).digest() == (
        hashlib.sha256(expected.encode()).digest()
    )


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_canonical_refuses_what_json_has_no_number_for(number: float) -> None:
    with pytest.raises(ValueError):
        jsontext.canonical({"x": number})


def test_canonical_writes_what_json_has_no_form_for_only_through_default() -> None:
    with pytest.raises(TypeError):
        jsontext.canonical({"at": _AT})
    assert jsontext.canonical({"at": _AT}, default=str) == '{"at":"2024-05-01 12:00:00.123456+00:00"}'

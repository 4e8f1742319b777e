"""Detached Ed25519 signatures on STIX objects: what they cover, what breaks them, and how keys travel."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from stix2validator import ValidationOptions, validate_instance

from fimihub.exchange.stix import signing
from fimihub.exchange.stix.signing import SIGNATURE_PROPERTY, KeyPair, Verdict
from tests.http.taxii.stix import indicator


@pytest.fixture
def keys() -> KeyPair:
    return KeyPair.from_private(signing.new_private_key())


def _trust(*pairs: KeyPair) -> dict[str, bytes]:
    return {p.key_id: p.public for p in pairs}


def test_a_signed_object_verifies_with_the_signers_key(keys: KeyPair) -> None:
    signed = signing.sign(indicator(), keys)
    assert signed[SIGNATURE_PROPERTY]["key_id"] == keys.key_id
    assert signed[SIGNATURE_PROPERTY]["alg"] == "Ed25519"
    assert signing.verify(signed, _trust(keys)) is Verdict.VERIFIED


@pytest.mark.parametrize(
    "change",
    [
        lambda o: o.update(name="another name"),
        lambda o: o.update(revoked=True),
        lambda o: o.update(modified="2030-01-01T00:00:00.000Z"),
        lambda o: o.pop("valid_from"),
        lambda o: o.update(object_marking_refs=["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]),
        lambda o: o[SIGNATURE_PROPERTY].update(sig=o[SIGNATURE_PROPERTY]["sig"][::-1]),
    ],
)
def test_any_change_is_detected(keys: KeyPair, change: Any) -> None:
    altered = copy.deepcopy(signing.sign(indicator(tlp="amber"), keys))
    change(altered)
    assert signing.verify(altered, _trust(keys)) in (Verdict.TAMPERED, Verdict.MALFORMED)


def test_key_order_and_white_space_do_not_matter(keys: KeyPair) -> None:
    signed = signing.sign(indicator(description="café ☕"), keys)
    reordered = json.loads(json.dumps(dict(reversed(list(signed.items()))), indent=4))
    assert signing.verify(reordered, _trust(keys)) is Verdict.VERIFIED


def test_unsigned_unknown_and_malformed(keys: KeyPair) -> None:
    other = KeyPair.from_private(signing.new_private_key())
    assert signing.verify(indicator(), _trust(keys)) is Verdict.UNSIGNED
    assert signing.verify(signing.sign(indicator(), other), _trust(keys)) is Verdict.UNKNOWN_KEY
    bad = {**indicator(), SIGNATURE_PROPERTY: {"key_id": keys.key_id, "alg": "RSA", "sig": "AAAA"}}
    assert signing.verify(bad, _trust(keys)) is Verdict.MALFORMED
    assert signing.verify({**indicator(), SIGNATURE_PROPERTY: "yes"}, _trust(keys)) is Verdict.MALFORMED
    assert not Verdict.TAMPERED.acceptable and Verdict.UNKNOWN_KEY.acceptable


def test_signing_is_deterministic_and_replaces_an_earlier_signature(keys: KeyPair) -> None:
    other = KeyPair.from_private(signing.new_private_key())
    obj = indicator()
    assert signing.sign(obj, keys) == signing.sign(obj, keys)
    resigned = signing.sign(signing.sign(obj, other), keys)
    assert resigned == signing.sign(obj, keys)


def test_keys_travel_as_text(keys: KeyPair) -> None:
    text = signing.encode_key(keys.public)
    assert "=" not in text and signing.decode_key(text) == keys.public
    assert signing.key_id(signing.decode_key(text)) == keys.key_id
    assert keys.key_id.startswith("ed25519:") and len(keys.key_id) == len("ed25519:") + 32
    with pytest.raises(ValueError):
        signing.decode_key("not a key!")
    with pytest.raises(ValueError):
        signing.decode_key(signing.encode_key(b"short"))


def test_a_signed_object_passes_the_oasis_validator_with_custom_properties(keys: KeyPair) -> None:
    signed = signing.sign(indicator(), keys)
    result = validate_instance(signed, ValidationOptions(version="2.1", strict=False))
    assert result.is_valid, [str(e) for e in result.errors]

"""Ed25519 signatures on STIX objects, in their own property extension: what they cover, what breaks them,
that strict STIX parsers accept signed objects, and how keys travel."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import stix2
from stix2validator import ValidationOptions, validate_instance

from fimihub.exchange.stix import signing, tlp_marking_definition
from fimihub.exchange.stix.signing import LEGACY_SIGNATURE_PROPERTY, SIGNATURE_EXTENSION_ID, KeyPair, Verdict
from fimihub.model import TLP
from tests.http.taxii.stix import indicator

SCHEMAS = Path(signing.__file__).parent / "schemas"


def _signature(obj: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = obj["extensions"][SIGNATURE_EXTENSION_ID]
    return found


@pytest.fixture
def keys() -> KeyPair:
    return KeyPair.from_private(signing.new_private_key())


def _trust(*pairs: KeyPair) -> dict[str, bytes]:
    return {p.key_id: p.public for p in pairs}


def test_a_signed_object_verifies_with_the_signers_key(keys: KeyPair) -> None:
    obj = indicator()
    signed = signing.sign(obj, keys)
    assert _signature(signed)["key_id"] == keys.key_id
    assert _signature(signed)["alg"] == "Ed25519"
    assert _signature(signed)["extension_type"] == "property-extension"
    assert LEGACY_SIGNATURE_PROPERTY not in signed
    assert not [k for k in signed if k.startswith("x_")]
    assert signing.verify(signed, _trust(keys)) is Verdict.VERIFIED
    assert signing.unsigned(signed) == obj


@pytest.mark.parametrize(
    "change",
    [
        lambda o: o.update(name="another name"),
        lambda o: o.update(revoked=True),
        lambda o: o.update(modified="2030-01-01T00:00:00.000Z"),
        lambda o: o.pop("valid_from"),
        lambda o: o.update(object_marking_refs=["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]),
        lambda o: _signature(o).update(sig=_signature(o)["sig"][::-1]),
        lambda o: _signature(o).update(extension_type="toplevel-property-extension"),
        lambda o: o["extensions"].update({"extension-definition--4b650026-e53c-5d92-aaa6-f001edb2974c": {}}),
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
    entry = {"extension_type": "property-extension", "key_id": keys.key_id, "alg": "RSA", "sig": "AAAA"}
    bad = {**indicator(), "extensions": {SIGNATURE_EXTENSION_ID: entry}}
    assert signing.verify(bad, _trust(keys)) is Verdict.MALFORMED
    yes = {**indicator(), "extensions": {SIGNATURE_EXTENSION_ID: "yes"}}
    assert signing.verify(yes, _trust(keys)) is Verdict.MALFORMED
    assert (
        signing.verify({**indicator(), LEGACY_SIGNATURE_PROPERTY: "yes"}, _trust(keys)) is Verdict.MALFORMED
    )
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


def test_a_signed_object_passes_the_oasis_validator_in_strict_mode_with_the_signature_schema(
    keys: KeyPair,
) -> None:
    signed = signing.sign(indicator(name="a domain", description="a signal"), keys)
    options = ValidationOptions(version="2.1", strict=True, schema_dir=str(SCHEMAS), disabled=["uuid-check"])
    result = validate_instance(signed, options)
    assert result.is_valid, [str(e) for e in result.errors]
    schema = json.loads((SCHEMAS / signing.SIGNATURE_SCHEMA_FILE).read_text("utf-8"))
    jsonschema.validate(signed, schema)
    broken = copy.deepcopy(signed)
    _signature(broken)["sig"] = "not base64url!"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_strict_stix2_parsing_accepts_a_signed_object(keys: KeyPair) -> None:
    signed = signing.sign(indicator(), keys)
    parsed = stix2.parse(signed, allow_custom=False)
    assert parsed.id == signed["id"]
    with pytest.raises(stix2.exceptions.STIXError):
        stix2.parse({**indicator(), LEGACY_SIGNATURE_PROPERTY: _signature(signed)}, allow_custom=False)
    definition = signing.signature_extension_definition()
    assert stix2.parse(definition, allow_custom=False).id == SIGNATURE_EXTENSION_ID
    assert definition["schema"].endswith(signing.SIGNATURE_SCHEMA_FILE)


def test_a_signature_in_the_earlier_custom_property_still_verifies(keys: KeyPair) -> None:
    """Objects a hub signed before signatures moved into the extension are still checked."""
    obj = indicator()
    signed = signing.sign(obj, keys)
    legacy = {**obj, LEGACY_SIGNATURE_PROPERTY: {k: v for k, v in _signature(signed).items()
                                                         if k != "extension_type"}}  # fmt: skip
    assert signing.verify(legacy, _trust(keys)) is Verdict.VERIFIED
    assert signing.verify({**legacy, "name": "changed"}, _trust(keys)) is Verdict.TAMPERED
    assert signing.signature_key_id(legacy) == keys.key_id
    # Signing again moves the signature into the extension.
    resigned = signing.sign(legacy, keys)
    assert LEGACY_SIGNATURE_PROPERTY not in resigned and resigned == signed


def test_extension_definitions_are_not_signed_as_stix_gives_them_no_extensions(keys: KeyPair) -> None:
    definition = signing.signature_extension_definition()
    assert signing.sign(definition, keys) == definition


@pytest.mark.parametrize("tlp", list(TLP))
def test_the_oasis_tlp_definitions_are_never_signed(keys: KeyPair, tlp: TLP) -> None:
    definition = tlp_marking_definition(tlp)
    assert signing.sign(definition, keys) == definition
    assert signing.verify(signing.sign(definition, keys), _trust(keys)) is Verdict.UNSIGNED

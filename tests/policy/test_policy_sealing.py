"""Sealing platform identifiers to an organisation's key: only its private key opens them."""

from __future__ import annotations

import base64

import pytest

from fimihub import ValidationError, policy


def test_a_sealed_value_opens_with_its_private_key_only() -> None:
    mine, theirs = policy.new_identifier_key(), policy.new_identifier_key()
    sealed = policy.seal(mine.public_key, "100042")
    assert "100042" not in sealed and policy.open_sealed(mine.private_key, sealed) == "100042"
    with pytest.raises(ValidationError) as exc:
        policy.open_sealed(theirs.private_key, sealed)
    assert exc.value.field == "private_key"
    # Randomised: the same id sealed twice gives two boxes (nobody can group the queue by them).
    assert policy.seal(mine.public_key, "100042") != sealed
    # Altered boxes do not open.
    raw = bytearray(base64.b64decode(sealed))
    raw[-1] ^= 1
    with pytest.raises(ValidationError):
        policy.open_sealed(mine.private_key, base64.b64encode(bytes(raw)).decode())
    with pytest.raises(ValidationError) as exc:
        policy.open_sealed(mine.private_key, "not base64!")
    assert exc.value.field == "sealed"


def test_keys_are_named_and_read_in_base64_or_hex() -> None:
    pair = policy.new_identifier_key()
    assert policy.public_key_of(pair.private_key) == pair.public_key
    assert pair.key_id == policy.identifier_key_id(pair.public_key)
    assert pair.key_id.startswith("ik-") and len(pair.key_id) == 19
    as_hex = base64.b64decode(pair.public_key).hex()
    assert policy.parse_identifier_key(as_hex) == pair.public_key
    urlsafe = base64.urlsafe_b64encode(base64.b64decode(pair.public_key)).decode()
    assert policy.parse_identifier_key(urlsafe) == pair.public_key
    assert policy.open_sealed(base64.b64decode(pair.private_key), policy.seal(as_hex, "p-1")) == "p-1"
    assert policy.identifier_key_id(as_hex) == pair.key_id


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "too short",
        "A" * 44,
        base64.b64encode(b"\x00" * 32).decode(),
        base64.b64encode(b"x" * 31).decode(),
    ],
)
def test_unusable_public_keys_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError) as exc:
        policy.parse_identifier_key(bad)
    assert exc.value.field == "public_key"

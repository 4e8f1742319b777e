"""Keyed hashes for personal identifiers: stable, keyed, kind-separated, normalised."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from fimihub.errors import ValidationError
from fimihub.model import SignalKind
from fimihub.policy import KEY_BYTES, key_id, new_key, normalise, pseudonymise

KEY = bytes(range(32))


def test_the_wire_format_is_pinned() -> None:
    # Peers match on these digests: any change here breaks every hash already shared.
    expected = hmac.new(KEY, b"fimihub-pseudonym-v1\x00email\x00a@example.org", hashlib.sha256).hexdigest()
    assert pseudonymise(KEY, "email", "A@Example.org ") == expected


def test_stable_and_hex() -> None:
    digest = pseudonymise(KEY, "account_id", "1234567")
    assert digest == pseudonymise(KEY, "account_id", "1234567")
    assert len(digest) == 64
    assert int(digest, 16) >= 0


def test_keyed() -> None:
    assert pseudonymise(KEY, "account_id", "1234567") != pseudonymise(new_key(), "account_id", "1234567")


def test_kinds_are_separated() -> None:
    assert pseudonymise(KEY, "account_id", "1234567") != pseudonymise(KEY, "phone", "1234567")
    assert pseudonymise(KEY, SignalKind.EMAIL, "x@y.z") == pseudonymise(KEY, " Email ", "x@y.z")


@pytest.mark.parametrize(
    ("kind", "a", "b"),
    [
        ("email", "  Jane.Doe@Example.COM ", "jane.doe@example.com"),
        ("phone", "+1 (555) 010-0000", "+15550100000"),
        (
            "phone",
            "\uff10\uff15\uff15 \uff10\uff11",
            "05501",
        ),  # full-width digits, as pasted from some sources
        ("account_id", " AbC123 ", "abc123"),
        ("handle", "STRASSE", "Straße"),
    ],
)
def test_normalisation_makes_spellings_hash_alike(kind: str, a: str, b: str) -> None:
    assert pseudonymise(KEY, kind, a) == pseudonymise(KEY, kind, b)


def test_normalise() -> None:
    assert normalise("phone", " +44 20-7946 0000 ") == "+442079460000"
    assert normalise("phone", "0044 20") == "004420"  # no guessing of international prefixes
    assert normalise("email", " A@B.C ") == "a@b.c"
    assert normalise("handle", " \uff21b\u212b ") == "ab\u00e5"  # full-width A, angstrom sign


@pytest.mark.parametrize(("kind", "value"), [("phone", " ( ) - "), ("email", "   "), ("account_id", "")])
def test_blank_identifiers_are_refused(kind: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        pseudonymise(KEY, kind, value)
    assert caught.value.field == "value"


def test_bad_keys_and_kinds_are_refused() -> None:
    with pytest.raises(ValidationError):
        pseudonymise(b"short", "email", "a@b.c")
    with pytest.raises(ValidationError):
        pseudonymise(KEY, " ", "a@b.c")
    with pytest.raises(ValidationError):
        key_id(b"")


def test_new_key() -> None:
    key = new_key()
    assert len(key) == KEY_BYTES == 32
    assert key != new_key()


def test_key_id_names_the_key_without_revealing_it() -> None:
    assert key_id(KEY) == key_id(bytes(KEY))
    assert key_id(KEY) != key_id(new_key())
    assert len(key_id(KEY)) <= 24
    assert KEY.hex()[:8] not in key_id(KEY)

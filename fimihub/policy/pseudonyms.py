"""Pseudonymisation: keyed hashes for personal identifiers (account ids, e-mail addresses, phone numbers).

Personal identifiers never travel in the clear: a forum shares HMAC-SHA256 digests keyed with the forum's
pseudonymisation key, so members holding the key can match on their own data while anyone else (including
a reader of a leaked bundle) cannot reverse or test guesses against them. Values are normalised first so
that the same identifier written two ways hashes alike, and the kind is mixed in so that the same string as
an account id and as a handle gives unrelated digests.

The construction is a wire format: ``HMAC-SHA256(key, "fimihub-pseudonym-v1" NUL kind NUL value)``, hex.
Changing it breaks matching against every digest already shared, so a change needs a new version tag.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from fimihub.errors import ValidationError

__all__ = ["KEY_BYTES", "key_id", "new_key", "normalise", "pseudonymise"]

#: Length of a fresh key. 256 bits: the key, not the identifier space, is what resists guessing.
KEY_BYTES = 32
# Shorter keys would make the digests of low-entropy identifiers (phone numbers) brute-forceable.
_MIN_KEY_BYTES = 16
_TAG = b"fimihub-pseudonym-v1"
_KEY_ID_TAG = b"fimihub-key-id-v1"


def new_key() -> bytes:
    """A fresh random pseudonymisation key."""
    return secrets.token_bytes(KEY_BYTES)


def key_id(key: bytes) -> str:
    """A short stable fingerprint naming ``key`` (as in ``Forum.pseudonymisation_key_id``); not the key.

    It is a hash of the key under its own tag, so it can be shown and stored without helping anyone
    compute pseudonyms.
    """
    _check_key(key)
    return "pk-" + hashlib.sha256(_KEY_ID_TAG + b"\x00" + key).hexdigest()[:16]


def normalise(kind: str, value: str) -> str:
    """``value`` as it is hashed for ``kind``: NFKC, stripped and case-folded; e-mail addresses
    lower-cased; phone numbers reduced to their digits with a leading ``+`` kept."""
    text = unicodedata.normalize("NFKC", value).strip()
    kind = _kind(kind)
    if kind == "phone":
        digits = "".join(c for c in text if c in "0123456789")
        return "+" + digits if text.startswith("+") and digits else digits
    if kind == "email":
        return text.lower()
    return text.casefold()


def pseudonymise(key: bytes, kind: str, value: str) -> str:
    """The keyed hash (64 hex digits) of personal identifier ``value`` of ``kind`` under ``key``."""
    _check_key(key)
    kind = _kind(kind)
    text = normalise(kind, value)
    if not text:
        # Every blank would hash alike and match every other blank: refuse rather than share a false link.
        raise ValidationError("value", f"empty {kind} after normalisation")
    message = b"\x00".join((_TAG, kind.encode("utf-8"), text.encode("utf-8")))
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _kind(kind: str) -> str:
    text = kind.strip().lower()
    if not text or "\x00" in text:
        raise ValidationError("kind", "a pseudonym kind must be a non-empty name without NUL")
    return text


def _check_key(key: bytes) -> None:
    if len(key) < _MIN_KEY_BYTES:
        raise ValidationError("key", f"a pseudonymisation key needs at least {_MIN_KEY_BYTES} bytes")

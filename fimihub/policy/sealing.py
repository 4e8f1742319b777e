"""Sealing: platform identifiers encrypted to a member organisation's own public key.

A member's review queue names the accounts and posts of its own platform where a shared signal matched. The
hub may be run by a third party, so those identifiers must be unreadable to whoever holds the hub's database
and to every other member. Each organisation therefore registers an *identifier key*: an X25519 key pair
whose private half it keeps; the hub stores only the public half and seals every account and post id it
queues for the organisation to it (libsodium's anonymous sealed box: an ephemeral X25519 key agreement and
XSalsa20-Poly1305). The hub can seal but never open; the organisation opens its queue on its own machine with
:func:`open_sealed`.

The trade-off: a sealed box is randomised, so two matches on the same account do not show the same sealed
value, and the hub cannot group the queue by account without a secret the member holds.

Keys travel as standard base64 of their 32 raw bytes (hex is accepted on input); a key is named by
:func:`identifier_key_id` (``ik-`` and 16 hex digits of a hash of the public key), which is stored beside
every sealed value so the member knows which private key opens it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from fimihub.errors import ValidationError

__all__ = [
    "IdentifierKeyPair",
    "identifier_key_id",
    "new_identifier_key",
    "open_sealed",
    "parse_identifier_key",
    "public_key_of",
    "seal",
]

_KEY_BYTES = 32
_KEY_ID_TAG = b"fimihub-identifier-key-id-v1"


@dataclass(frozen=True, slots=True)
class IdentifierKeyPair:
    """A fresh identifier key: ``private_key`` stays with the organisation, ``public_key`` goes to the hub
    (both base64); ``key_id`` names it."""

    private_key: str
    public_key: str
    key_id: str


def new_identifier_key() -> IdentifierKeyPair:
    """A fresh random X25519 key pair for sealing an organisation's platform identifiers."""
    private = PrivateKey.generate()
    public = _b64(bytes(private.public_key))
    return IdentifierKeyPair(_b64(bytes(private)), public, identifier_key_id(public))


def parse_identifier_key(text: str, *, field: str = "public_key") -> str:
    """``text`` (a 32-byte key as base64, URL-safe base64 or hex) in canonical form: standard base64.
    Raises :class:`ValidationError` naming ``field`` when it is not one, or not a key anything can be sealed
    to (a low-order point, whose shared secrets anyone could compute)."""
    raw = _raw(text, field)
    try:
        SealedBox(PublicKey(raw)).encrypt(b"check")
    except CryptoError:
        raise ValidationError(field, "is not a usable X25519 public key") from None
    return _b64(raw)


def public_key_of(private_key: str) -> str:
    """The public key (base64) of an identifier private key (base64 or hex)."""
    return _b64(bytes(PrivateKey(_raw(private_key, "private_key")).public_key))


def identifier_key_id(public_key: str) -> str:
    """A short stable name of an identifier key: ``ik-`` and 16 hex digits of a tagged hash of the public
    key."""
    raw = _raw(public_key, "public_key")
    return "ik-" + hashlib.sha256(_KEY_ID_TAG + b"\x00" + raw).hexdigest()[:16]


def seal(public_key: str, value: str) -> str:
    """``value`` sealed to ``public_key`` (base64 of an anonymous sealed box): only the private key opens it;
    sealing the same value twice gives two different boxes."""
    box = SealedBox(PublicKey(_raw(public_key, "public_key")))
    return _b64(box.encrypt(value.encode("utf-8")))


def open_sealed(private_key: str | bytes, sealed: str) -> str:
    """The value ``sealed`` holds, opened with the organisation's identifier ``private_key`` (base64, hex, or
    the 32 raw bytes). Raises :class:`ValidationError` when the key is not the one it was sealed to, or the
    box was altered."""
    raw_key = private_key if isinstance(private_key, bytes) else _raw(private_key, "private_key")
    if len(raw_key) != _KEY_BYTES:
        raise ValidationError("private_key", f"an identifier key is {_KEY_BYTES} bytes")
    try:
        box = base64.b64decode(sealed.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("sealed", "is not base64") from None
    try:
        return SealedBox(PrivateKey(raw_key)).decrypt(box).decode("utf-8")
    except (CryptoError, UnicodeDecodeError):
        raise ValidationError(
            "private_key", "does not open this sealed value: it was sealed to another key, or altered"
        ) from None


def _raw(text: str, field: str) -> bytes:
    if not isinstance(text, str):
        raise ValidationError(field, "must be a string: a 32-byte key as base64 or hex")
    value = text.strip()
    raw: bytes | None = None
    if len(value) == 2 * _KEY_BYTES:
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raw = None
    if raw is None:
        try:
            raw = base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raw = None
    if raw is None or len(raw) != _KEY_BYTES:
        raise ValidationError(field, f"must be a {_KEY_BYTES}-byte X25519 key as base64 or hex")
    return raw


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")

"""Detached Ed25519 signatures on STIX objects, so a hub can tell who vouches for an object it received.

Every object a fimihub hub publishes carries a custom property ``x_fimihub_signature``::

    "x_fimihub_signature": {"key_id": "ed25519:9f2c…", "alg": "Ed25519", "sig": "<base64url>"}

The signature covers the object's *canonical JSON*: the object without ``x_fimihub_signature``, serialised
with sorted keys, no insignificant white space and UTF-8 text (:func:`canonical_json`). Any change to any
other property — a marking loosened, a pattern altered, a revocation dropped — breaks it. The signature
travels with the object through every hub that relays it, so a hub can check an object written by a hub it
has never talked to, if it trusts that hub's key.

Keys are 32 raw bytes (an Ed25519 private seed, or a public key); they travel as unpadded base64url text.
A key id is ``ed25519:`` followed by the first 16 bytes of the SHA-256 of the public key, in hex.

These are pure functions: the hub keeps its own private key and the keys it trusts, and calls them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from fimihub import jsontext

__all__ = [
    "ALGORITHM",
    "KEY_ID_PREFIX",
    "SIGNATURE_PROPERTY",
    "KeyPair",
    "Verdict",
    "canonical_json",
    "decode_key",
    "encode_key",
    "key_id",
    "new_private_key",
    "public_key_of",
    "sign",
    "signature_key_id",
    "verify",
]

#: The custom property that carries an object's signature.
SIGNATURE_PROPERTY = "x_fimihub_signature"
#: The one signature algorithm fimihub writes and reads.
ALGORITHM = "Ed25519"
KEY_ID_PREFIX = "ed25519:"
_KEY_BYTES = 32
_SIGNATURE_BYTES = 64


class Verdict(StrEnum):
    """What checking an object's signature against the trusted keys found."""

    #: The object carries no signature (a plain TAXII peer, or a member's own post).
    UNSIGNED = "unsigned"
    #: Signed by a trusted key, and the signature matches the object as it is.
    VERIFIED = "verified"
    #: Signed, but by a key this hub does not trust: it cannot tell whether the object was altered.
    UNKNOWN_KEY = "unknown-key"
    #: Signed by a trusted key, and the signature does not match: the object was altered after signing.
    TAMPERED = "tampered"
    #: The signature property is not a signature fimihub can read.
    MALFORMED = "malformed"

    @property
    def acceptable(self) -> bool:
        """Whether a hub may store the object (it refuses altered objects and unreadable signatures)."""
        return self not in (Verdict.TAMPERED, Verdict.MALFORMED)


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A hub's signing key: the private seed and the public key, both as 32 raw bytes."""

    private: bytes
    public: bytes

    @classmethod
    def from_private(cls, private: bytes) -> KeyPair:
        return cls(private, public_key_of(private))

    @property
    def key_id(self) -> str:
        return key_id(self.public)


def canonical_json(stix_object: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: the object without its signature as canonical JSON
    (:func:`fimihub.jsontext.canonical`: keys sorted, no white space), in UTF-8."""
    unsigned = {k: v for k, v in stix_object.items() if k != SIGNATURE_PROPERTY}
    return jsontext.canonical(unsigned).encode("utf-8")


def new_private_key() -> bytes:
    """A fresh Ed25519 private key (32 random bytes)."""
    return secrets.token_bytes(_KEY_BYTES)


def public_key_of(private: bytes) -> bytes:
    """The public key of a private seed."""
    key = Ed25519PrivateKey.from_private_bytes(_checked_length(private, "private key"))
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def encode_key(raw: bytes) -> str:
    """Key bytes as unpadded base64url text, the form keys are exported and configured in."""
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_key(text: str) -> bytes:
    """Key bytes from :func:`encode_key`'s text (standard base64 is read too). Raises ``ValueError``."""
    cleaned = text.strip().replace("+", "-").replace("/", "_").rstrip("=")
    try:
        raw = base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64 text") from None
    return _checked_length(raw, "key")


def key_id(public: bytes) -> str:
    """The id that names a public key in signatures."""
    return KEY_ID_PREFIX + hashlib.sha256(public).digest()[:16].hex()


def sign(stix_object: Mapping[str, Any], keys: KeyPair) -> dict[str, Any]:
    """A copy of the object carrying this key's signature (any earlier signature is replaced)."""
    private = Ed25519PrivateKey.from_private_bytes(keys.private)
    signature = private.sign(canonical_json(stix_object))
    signed = {k: v for k, v in stix_object.items() if k != SIGNATURE_PROPERTY}
    signed[SIGNATURE_PROPERTY] = {"key_id": keys.key_id, "alg": ALGORITHM, "sig": encode_key(signature)}
    return signed


def signature_key_id(stix_object: Mapping[str, Any]) -> str | None:
    """The key id an object's signature names, if it carries a readable one."""
    found = stix_object.get(SIGNATURE_PROPERTY)
    if isinstance(found, Mapping) and isinstance(found.get("key_id"), str):
        return str(found["key_id"])
    return None


def verify(stix_object: Mapping[str, Any], trusted: Mapping[str, bytes]) -> Verdict:
    """Check an object's signature against ``trusted`` public keys (by key id)."""
    if SIGNATURE_PROPERTY not in stix_object:
        return Verdict.UNSIGNED
    found = stix_object[SIGNATURE_PROPERTY]
    if not isinstance(found, Mapping) or set(found) != {"key_id", "alg", "sig"}:
        return Verdict.MALFORMED
    kid, alg, sig = found["key_id"], found["alg"], found["sig"]
    if not (isinstance(kid, str) and alg == ALGORITHM and isinstance(sig, str)):
        return Verdict.MALFORMED
    try:
        raw = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    except (binascii.Error, ValueError):
        return Verdict.MALFORMED
    if len(raw) != _SIGNATURE_BYTES:
        return Verdict.MALFORMED
    public = trusted.get(kid)
    if public is None:
        return Verdict.UNKNOWN_KEY
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(raw, canonical_json(stix_object))
    except (InvalidSignature, ValueError):
        return Verdict.TAMPERED
    return Verdict.VERIFIED


def _checked_length(raw: bytes, what: str) -> bytes:
    if len(raw) != _KEY_BYTES:
        raise ValueError(f"an Ed25519 {what} is {_KEY_BYTES} bytes, not {len(raw)}")
    return raw

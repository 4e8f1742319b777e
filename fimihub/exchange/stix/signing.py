"""Detached Ed25519 signatures on STIX objects, so a hub can tell who vouches for an object it received.

Every object a fimihub hub publishes carries its signature in a STIX 2.1 *property extension* of its own,
declared by :func:`signature_extension_definition` (with a JSON schema shipped beside this module), so parsers
that refuse custom properties (``stix2.parse(…, allow_custom=False)``) still accept the object::

    "extensions": {
        "extension-definition--572ad532-9fa3-5e96-9429-ae615a62201f": {
            "extension_type": "property-extension",
            "key_id": "ed25519:9f2c…", "alg": "Ed25519", "sig": "<base64url>"
        }
    }

The signature covers the object's *canonical JSON*: the object without its signature (``extensions`` left out
when the signature was its only entry), serialised with sorted keys, no insignificant white space and UTF-8
text (:func:`canonical_json`). Any change to any other property — a marking loosened, a pattern altered, a
revocation dropped — breaks it. Objects signed in the earlier form, a top-level custom property
``x_fimihub_signature`` holding the same three fields, still verify.

The OASIS TLP marking definitions are never signed: they are OASIS's objects, published unchanged; nor are
extension definitions, which STIX 2.1 gives no ``extensions`` property. The signature travels with the
object through every hub that relays it, so a hub can check an object written by a hub it has never talked
to, if it trusts that hub's key.

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
from fimihub.exchange.stix.extension import published
from fimihub.exchange.stix.ids import derived_id
from fimihub.exchange.stix.markings import TLP_BY_MARKING_ID

__all__ = [
    "ALGORITHM",
    "KEY_ID_PREFIX",
    "LEGACY_SIGNATURE_PROPERTY",
    "SIGNATURE_EXTENSION_ID",
    "SIGNATURE_SCHEMA_FILE",
    "KeyPair",
    "Verdict",
    "canonical_json",
    "decode_key",
    "encode_key",
    "is_signed",
    "key_id",
    "new_private_key",
    "public_key_of",
    "sign",
    "signable",
    "signature_extension_definition",
    "signature_key_id",
    "signature_of",
    "signature_only",
    "unsigned",
    "verify",
]

#: The property extension that carries an object's signature (a UUIDv5 in fimihub's namespace).
SIGNATURE_EXTENSION_ID = derived_id("extension-definition", "signature")
#: Its JSON schema, shipped with the package (the file name ``stix2-validator --schemas`` looks for).
SIGNATURE_SCHEMA_FILE = f"{SIGNATURE_EXTENSION_ID}.json"
#: The custom property that carried signatures before the extension; still read, never written.
LEGACY_SIGNATURE_PROPERTY = "x_fimihub_signature"
_SCHEMA_URL = (
    "https://raw.githubusercontent.com/fimihub/fimihub/main/fimihub/exchange/stix/schemas/"
    + SIGNATURE_SCHEMA_FILE
)
_FIELDS = frozenset({"key_id", "alg", "sig"})
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
    #: The signature is not one fimihub can read.
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


def signature_extension_definition() -> dict[str, Any]:
    """The ``extension-definition`` of the signature extension, alike on every hub."""
    return published(
        "extension-definition",
        SIGNATURE_EXTENSION_ID,
        name="fimihub signature",
        description=(
            "The Ed25519 signature of the hub that published the object, over the object's canonical JSON "
            "without this extension: key_id names the key, sig is the signature in unpadded base64url."
        ),
        schema=_SCHEMA_URL,
        version="1.0.0",
        extension_types=["property-extension"],
    )


def signature_of(stix_object: Mapping[str, Any]) -> Any:
    """What an object carries as its signature (the extension's entry, else the earlier custom property),
    as it is; ``None`` when it carries none."""
    extensions = stix_object.get("extensions")
    if isinstance(extensions, Mapping) and SIGNATURE_EXTENSION_ID in extensions:
        return extensions[SIGNATURE_EXTENSION_ID]
    return stix_object.get(LEGACY_SIGNATURE_PROPERTY)


def is_signed(stix_object: Mapping[str, Any]) -> bool:
    """Whether an object carries a signature, in either form (readable or not)."""
    return signature_of(stix_object) is not None


def unsigned(stix_object: Mapping[str, Any]) -> dict[str, Any]:
    """The object without its signature, in either form (``extensions`` left out when nothing else is in
    it)."""
    out = {k: v for k, v in stix_object.items() if k != LEGACY_SIGNATURE_PROPERTY}
    extensions = out.get("extensions")
    if isinstance(extensions, Mapping) and SIGNATURE_EXTENSION_ID in extensions:
        rest = {k: v for k, v in extensions.items() if k != SIGNATURE_EXTENSION_ID}
        if rest:
            out["extensions"] = rest
        else:
            del out["extensions"]
    return out


def signature_only(extensions: Any) -> dict[str, Any] | None:
    """Of an object's ``extensions``, only the signature (what a redacted tombstone keeps); ``None`` when
    there is none."""
    if isinstance(extensions, Mapping) and SIGNATURE_EXTENSION_ID in extensions:
        return {SIGNATURE_EXTENSION_ID: extensions[SIGNATURE_EXTENSION_ID]}
    return None


def signable(stix_object: Mapping[str, Any]) -> bool:
    """Whether a hub signs this object: all but the OASIS TLP marking definitions, which travel exactly as
    OASIS publishes them, and extension definitions, which STIX 2.1 gives no ``extensions`` property."""
    return (
        stix_object.get("id") not in TLP_BY_MARKING_ID and stix_object.get("type") != "extension-definition"
    )


def canonical_json(stix_object: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: the object without its signature (:func:`unsigned`) as canonical JSON
    (:func:`fimihub.jsontext.canonical`: keys sorted, no white space), in UTF-8."""
    return jsontext.canonical(unsigned(stix_object)).encode("utf-8")


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
    """A copy of the object carrying this key's signature in the signature extension (any earlier
    signature, in either form, is replaced). The OASIS TLP definitions come back unsigned
    (:func:`signable`)."""
    if not signable(stix_object):
        return unsigned(stix_object)
    private = Ed25519PrivateKey.from_private_bytes(keys.private)
    signature = private.sign(canonical_json(stix_object))
    signed = unsigned(stix_object)
    entry = {"extension_type": "property-extension", "key_id": keys.key_id, "alg": ALGORITHM}
    entry["sig"] = encode_key(signature)
    extensions = signed.get("extensions")
    signed["extensions"] = {
        **(extensions if isinstance(extensions, Mapping) else {}),
        SIGNATURE_EXTENSION_ID: entry,
    }
    return signed


def signature_key_id(stix_object: Mapping[str, Any]) -> str | None:
    """The key id an object's signature names, if it carries a readable one."""
    found = signature_of(stix_object)
    if isinstance(found, Mapping) and isinstance(found.get("key_id"), str):
        return str(found["key_id"])
    return None


def verify(stix_object: Mapping[str, Any], trusted: Mapping[str, bytes]) -> Verdict:
    """Check an object's signature against ``trusted`` public keys (by key id)."""
    found = signature_of(stix_object)
    if found is None:
        return Verdict.UNSIGNED
    if not isinstance(found, Mapping):
        return Verdict.MALFORMED
    extensions = stix_object.get("extensions")
    if isinstance(extensions, Mapping) and SIGNATURE_EXTENSION_ID in extensions:
        if found.get("extension_type") != "property-extension":
            return Verdict.MALFORMED
        found = {k: v for k, v in found.items() if k != "extension_type"}
    if set(found) != _FIELDS:
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

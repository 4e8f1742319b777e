"""Audit anchors: the head of the audit chain, signed with an Ed25519 key that the store does not hold.

The audit chain is a plain SHA-256 chain: whoever can write the store can edit an event and recompute every
hash after it, and ``fimihub audit verify`` would still pass. An anchor pins the chain from outside: the
operator signs the head ``(seq, hash)`` with a private key kept off the database host (``fimihub audit
anchor``) and keeps the file elsewhere; peers keep the head the hub signs with its own key
(``GET /api/v1/audit/head``). Verifying with an anchor finds any rewrite of the events up to its ``seq``.

Key files hold a 32-byte Ed25519 key either as unpadded base64url text (the form fimihub writes and peers
exchange keys in) or as PEM (``openssl genpkey -algorithm ed25519`` and ``openssl pkey -pubout``).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from fimihub.errors import IntegrityError, ValidationError
from fimihub.exchange.stix import signing
from fimihub.model import parse
from fimihub.model.audit import AuditAnchor

__all__ = [
    "check_anchor",
    "new_key_files",
    "read_anchor",
    "read_private_key",
    "read_public_key",
    "sign_anchor",
    "write_anchor",
]

_SIGNATURE_BYTES = 64


def sign_anchor(seq: int, head_hash: str, at: datetime, private_key: bytes) -> AuditAnchor:
    """The statement that the chain held event ``seq`` with ``head_hash`` at ``at``, signed with
    ``private_key`` (a 32-byte Ed25519 seed)."""
    keys = signing.KeyPair.from_private(private_key)
    unsigned = parse(AuditAnchor, {"seq": seq, "hash": head_hash, "at": at, "key_id": keys.key_id})
    signature = Ed25519PrivateKey.from_private_bytes(keys.private).sign(unsigned.statement())
    return unsigned.model_copy(update={"sig": signing.encode_key(signature)})


def check_anchor(anchor: AuditAnchor, public_key: bytes) -> None:
    """Raise :class:`~fimihub.errors.IntegrityError` unless ``public_key`` signed ``anchor`` as it is."""
    if anchor.key_id != signing.key_id(public_key):
        raise IntegrityError(
            f"the anchor of event {anchor.seq} names key {anchor.key_id}, not the given public key "
            f"({signing.key_id(public_key)}): refused"
        )
    sig = anchor.sig
    try:
        raw = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    try:
        if len(raw) != _SIGNATURE_BYTES:
            raise InvalidSignature
        Ed25519PublicKey.from_public_bytes(public_key).verify(raw, anchor.statement())
    except (InvalidSignature, ValueError):
        raise IntegrityError(
            f"the anchor of event {anchor.seq} is not signed by the given key (forged or altered): refused"
        ) from None


def write_anchor(anchor: AuditAnchor, path: str | Path) -> Path:
    """Write ``anchor`` as a JSON file (its :meth:`~AuditAnchor.to_json` form)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(anchor.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def read_anchor(path: str | Path, what: str = "anchor") -> AuditAnchor:
    """The anchor in the JSON file at ``path``; ``ValidationError`` naming ``what`` when it is not one."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(what, f"{source} is not a readable anchor: {exc}") from None
    if not isinstance(data, dict):
        raise ValidationError(what, f"{source} is not an audit anchor (a JSON object)")
    return parse(AuditAnchor, data)


def read_private_key(path: str | Path, what: str = "key_file") -> bytes:
    """The 32-byte Ed25519 private seed in the key file at ``path`` (base64url text or PEM)."""
    text = _key_text(path, what)
    if text.startswith("-----BEGIN"):
        try:
            key = load_pem_private_key(text.encode("ascii"), password=None)
        except (ValueError, TypeError) as exc:
            raise ValidationError(what, f"{path}: not an unencrypted PEM private key ({exc})") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ValidationError(what, f"{path}: not an Ed25519 private key")
        return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return _raw_key(text, path, what, "private")


def read_public_key(path: str | Path, what: str = "public_key") -> bytes:
    """The 32-byte Ed25519 public key in the file at ``path`` (base64url text or PEM)."""
    text = _key_text(path, what)
    if text.startswith("-----BEGIN"):
        try:
            key = load_pem_public_key(text.encode("ascii"))
        except (ValueError, TypeError) as exc:
            raise ValidationError(what, f"{path}: not a PEM public key ({exc})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ValidationError(what, f"{path}: not an Ed25519 public key")
        return key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return _raw_key(text, path, what, "public")


def new_key_files(private_path: str | Path, public_path: str | Path) -> str:
    """Write a fresh Ed25519 key pair: the private seed to ``private_path`` (created, readable by its owner
    only; an existing file is never overwritten), the public key to ``public_path``. Returns the key id."""
    private_target, public_target = Path(private_path), Path(public_path)
    for target, what in ((private_target, "key_file"), (public_target, "public_key")):
        if target.exists():
            raise ValidationError(what, f"{target} exists already: a key is never overwritten")
    keys = signing.KeyPair.from_private(signing.new_private_key())
    fd = os.open(private_target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(signing.encode_key(keys.private) + "\n")
    public_target.write_text(signing.encode_key(keys.public) + "\n", encoding="ascii")
    return keys.key_id


def _key_text(path: str | Path, what: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(what, f"{path} is not a readable key file: {exc}") from None


def _raw_key(text: str, path: str | Path, what: str, kind: str) -> bytes:
    try:
        return signing.decode_key(text)
    except ValueError as exc:
        raise ValidationError(what, f"{path}: not an Ed25519 {kind} key ({exc})") from None

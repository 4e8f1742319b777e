"""The store's at-rest key: secrets and platform account ids are sealed in the database, not kept in clear.

What the database holds would otherwise be readable by anyone who gets a copy of its files, a backup or a
dump: the forums' pseudonymisation keys (whoever holds one can test any account id against a forum's keyed
hashes), the hub's Ed25519 signing key (whoever holds it can sign as the hub), the credentials the hub uses
with its peers, and the platform account ids of assets. The store seals each of them with a 32-byte key kept
**outside** the database, in a key file (``Settings.key_file``; by default the SQLite file's path with
``.key`` added, or ``fimihub.key`` in the working directory for a server database), so that a copy of the
database alone gives none of them away.

Sealing is XSalsa20-Poly1305 (PyNaCl's ``SecretBox``): authenticated, so a value edited in the database
fails to open instead of opening to something else. A sealed value reads
``sealed:v1:<key id>:<base64>``; the key id (the first 16 hex digits of the key's SHA-256) names the key it
was sealed with, so a store opened with the wrong key file says so instead of failing obscurely. Values
written before the store had a key (or by a store opened without one) are read as they are, and sealed by
the next upgrade of the store.

This is protection of the files at rest, not against whoever runs the hub: the hub must read these values
to work, so it holds the key. What a member must keep from the operator too is sealed to the member's own
key instead (:mod:`fimihub.policy.sealing`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from fimihub.errors import StoreError

__all__ = ["SEALED_PREFIX", "Vault", "is_sealed"]

#: How every sealed value begins.
SEALED_PREFIX = "sealed:v1:"
_KEY_BYTES = SecretBox.KEY_SIZE


def is_sealed(value: str) -> bool:
    """Whether ``value`` is a sealed value (rather than one written in clear)."""
    return value.startswith(SEALED_PREFIX)


class Vault:
    """Seals and opens values with one at-rest key."""

    def __init__(self, key: bytes, *, source: str = "the at-rest key") -> None:
        if len(key) != _KEY_BYTES:
            raise StoreError(f"{source}: an at-rest key is {_KEY_BYTES} bytes, got {len(key)}")
        self._box = SecretBox(key)
        self.key_id = hashlib.sha256(key).hexdigest()[:16]
        self.source = source

    def __repr__(self) -> str:  # never the key itself
        return f"Vault(key_id={self.key_id!r}, source={self.source!r})"

    @classmethod
    def generate(cls) -> Vault:
        """A vault with a fresh random key, kept in memory only (for stores that live in memory)."""
        return cls(secrets.token_bytes(_KEY_BYTES), source="an in-memory key")

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, create: bool = True) -> Vault:
        """The vault of the key file at ``path`` (64 hex digits). When there is none and ``create`` is set, a
        new random key is written there, readable by its owner only."""
        file = Path(path).expanduser()
        try:
            text = file.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            if not create:
                raise StoreError(f"the store's at-rest key file {file} does not exist") from None
            return cls._create(file)
        except (OSError, UnicodeDecodeError) as error:
            raise StoreError(f"cannot read the store's at-rest key file {file}: {error}") from None
        try:
            key = bytes.fromhex(text)
        except ValueError:
            raise StoreError(f"the at-rest key file {file} does not hold a key (64 hex digits)") from None
        return cls(key, source=str(file))

    @classmethod
    def _create(cls, file: Path) -> Vault:
        key = secrets.token_bytes(_KEY_BYTES)
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            # Another process made it between our read and this create: use theirs.
            return cls.from_file(file, create=False)
        except OSError as error:
            raise StoreError(f"cannot create the store's at-rest key file {file}: {error}") from None
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.hex() + "\n")
        return cls(key, source=str(file))

    def seal(self, value: str) -> str:
        """``value`` sealed with this vault's key."""
        box = self._box.encrypt(value.encode("utf-8"))
        return f"{SEALED_PREFIX}{self.key_id}:{base64.b64encode(bytes(box)).decode('ascii')}"

    def open(self, value: str) -> str:
        """The clear text of a sealed ``value``; a value that is not sealed, as it is."""
        if not is_sealed(value):
            return value
        key_id, _, payload = value.removeprefix(SEALED_PREFIX).partition(":")
        if key_id != self.key_id:
            raise StoreError(
                f"a secret in the store was sealed with at-rest key {key_id}, but {self.source} holds key"
                f" {self.key_id}: open the store with the key file it was written with (Settings.key_file,"
                " FIMIHUB_KEY_FILE)"
            )
        try:
            return self._box.decrypt(base64.b64decode(payload, validate=True)).decode("utf-8")
        except (CryptoError, binascii.Error, UnicodeDecodeError):
            raise StoreError(
                f"a sealed secret in the store does not open with at-rest key {key_id}: it was altered"
            ) from None

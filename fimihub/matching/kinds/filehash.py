"""The file-hash kinds ``md5`` and ``sha256``: cryptographic digests of a file, matched exactly.

Canonical form: lower-case hex of the digest's length (32 for MD5, 64 for SHA-256). Indicator files often
write ``MD5:ABC…`` or ``sha256=…``; such a prefix naming the same algorithm is accepted and dropped.
"""

from __future__ import annotations

import re
from typing import ClassVar

from fimihub.matching.index.exact import ExactSignalType
from fimihub.matching.kinds._input import check_text
from fimihub.model.signals import SignalKind

__all__ = ["FileHashSignalType", "Md5SignalType", "Sha256SignalType"]

_HEX = re.compile(r"^[0-9a-f]+$")


class FileHashSignalType(ExactSignalType):
    """A hex digest of fixed length, matched exactly."""

    kind: ClassVar[SignalKind]
    #: Number of hex digits in a digest of this kind.
    digits: ClassVar[int]

    def normalise(self, value: str) -> str:
        name = self.kind.value
        text = check_text(value, name, max_length=1024).lower()
        for separator in (":", "="):
            prefix = name + separator
            if text.startswith(prefix):
                text = text[len(prefix) :].strip()
        if not _HEX.match(text):
            raise ValueError(f"{name}: a digest is hex digits 0-9 and a-f only")
        if len(text) != self.digits:
            raise ValueError(f"{name}: a digest has {self.digits} hex digits, got {len(text)}")
        return text


class Md5SignalType(FileHashSignalType):
    """MD5 of a file (32 hex digits)."""

    kind: ClassVar[SignalKind] = SignalKind.MD5
    digits: ClassVar[int] = 32


class Sha256SignalType(FileHashSignalType):
    """SHA-256 of a file (64 hex digits)."""

    kind: ClassVar[SignalKind] = SignalKind.SHA256
    digits: ClassVar[int] = 64

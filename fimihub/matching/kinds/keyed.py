"""The personal kinds ``account_id``, ``email`` and ``phone``: keyed hashes, never the identifier itself.

A forum shares personal identifiers only as HMAC-SHA256 digests under its pseudonymisation key (see
:mod:`fimihub.policy.pseudonyms`, which computes them). A signal of these kinds is therefore already 64 hex
digits; normalising only checks that and lower-cases it, and matching is equality. A member scanning its own
data hashes its identifiers with the same key and looks the digests up in the exact index.

A value that looks like the identifier in clear (an ``@``, a ``+`` and digits) is refused with a message
that says to hash it first, so a raw address cannot slip into a share by mistake.
"""

from __future__ import annotations

import re
from typing import ClassVar

from fimihub.matching.index.exact import ExactSignalType
from fimihub.matching.kinds._input import check_text
from fimihub.model.signals import SignalKind

__all__ = ["AccountIdSignalType", "EmailSignalType", "KeyedHashSignalType", "PhoneSignalType"]

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class KeyedHashSignalType(ExactSignalType):
    """A personal identifier as its keyed hash (64 lower-case hex digits), matched exactly."""

    kind: ClassVar[SignalKind]

    def normalise(self, value: str) -> str:
        text = check_text(value, self.kind.value, max_length=1024).lower()
        if _DIGEST.match(text):
            return text
        if "@" in text or text.lstrip("+").replace(" ", "").replace("-", "").isdigit():
            raise ValueError(
                f"{self.kind.value}: looks like an identifier in clear; share only its keyed hash "
                "(HMAC-SHA256 with the forum's key, 64 hex digits)"
            )
        raise ValueError(f"{self.kind.value}: a keyed hash must be 64 hex digits, got {len(text)} characters")


class AccountIdSignalType(KeyedHashSignalType):
    """Keyed hash of a platform account id."""

    kind: ClassVar[SignalKind] = SignalKind.ACCOUNT_ID


class EmailSignalType(KeyedHashSignalType):
    """Keyed hash of an e-mail address."""

    kind: ClassVar[SignalKind] = SignalKind.EMAIL


class PhoneSignalType(KeyedHashSignalType):
    """Keyed hash of a phone number."""

    kind: ClassVar[SignalKind] = SignalKind.PHONE

"""Fingerprints: what a disrupted operation looks like, in a form a forum can share without personal data."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from fimihub.model._base import Governed

__all__ = ["Fingerprint"]


class Fingerprint(Governed):
    """The fingerprint of an operation that was disrupted, kept so that its return can be recognised.

    ``features`` is the versioned fingerprint itself (``fimihub-fingerprint`` format, see
    ``fimihub.coordination``): domains, URLs, hashtags, image hashes, text signatures, keyed handle
    patterns and posting rhythm. It holds no account ids, clear handles or raw texts, so it can be shared in
    a forum like a signal. ``accounts`` is how many accounts it was built from; ``source`` where it came
    from (``store`` for the operation's assets and signals, ``export:<file name>`` for an export of removed
    accounts).
    """

    operation_id: str
    features: dict[str, Any]
    accounts: int = Field(default=0, ge=0)
    source: str = Field(default="store", max_length=500)

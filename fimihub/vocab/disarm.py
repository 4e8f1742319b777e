"""DISARM framework technique identifiers (``T0049``, sub-techniques ``T0049.001``)."""

from __future__ import annotations

import re

__all__ = ["disarm_id"]

_ID = re.compile(r"^T\d{4}(\.\d{3})?$")


def disarm_id(value: str) -> str:
    """The canonical form of a DISARM technique id; raises ``ValueError`` when it has not that shape."""
    text = value.strip().upper()
    if not _ID.match(text):
        raise ValueError(f"{value!r} is not a DISARM technique id (expected T0000 or T0000.000)")
    return text

"""Data minimisation: what a forum takes. A forum may list the signal kinds its members share there
(``Forum.signal_kinds``); a signal of another kind does not enter it, whoever sends it and however (the
REST API, a re-share, a TAXII post, a peer's feed)."""

from __future__ import annotations

from fimihub.errors import ValidationError
from fimihub.model import Forum, SignalKind

__all__ = ["check_forum_takes"]


def check_forum_takes(forum: Forum, kind: SignalKind) -> None:
    """Raise :class:`ValidationError` naming the forum's policy when ``forum`` takes no ``kind`` signals."""
    if forum.signal_kinds is None or kind in forum.signal_kinds:
        return
    taken = ", ".join(sorted(k.value for k in forum.signal_kinds)) or "none"
    raise ValidationError(
        "kind",
        f"forum {forum.name!r} takes no {kind.value} signals: its policy shares only these kinds ({taken})",
    )

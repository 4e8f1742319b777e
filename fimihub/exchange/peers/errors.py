"""How talking to a peer fails, as part of the one error tree (:mod:`fimihub.errors`)."""

from __future__ import annotations

from fimihub.errors import FimihubError

__all__ = ["PeerError", "PeerRefused", "PeerUnavailable"]


class PeerError(FimihubError, http_status=502, exit_code=9):
    """A peer could not be synced with (502 at the HTTP edge, exit 9 on the command line)."""


class PeerUnavailable(PeerError):
    """The peer could not be reached, or kept answering 429 or 5xx, after every retry."""


class PeerRefused(PeerError):
    """The peer answered a request with an error that retrying will not change (a 4xx other than 429)."""

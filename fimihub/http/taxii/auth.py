"""Who is calling the TAXII server: the hub's API tokens, carried the ways TAXII clients send credentials.

``Authorization: Basic …`` with any user name and the token as password (what most TAXII clients, MISP and
OpenCTI send), ``Authorization: Bearer <token>``, or ``Authorization: Token <token>`` (the OASIS client's
``TokenAuth``). The hub checks the token; a missing, unknown, expired or revoked one is a 401.
"""

from __future__ import annotations

import base64
import binascii

from fimihub.errors import AuthenticationError

__all__ = ["token_secret"]


def token_secret(header: str | None) -> str:
    """The token secret an ``Authorization`` header carries (``""`` when there is none)."""
    if not header:
        return ""
    scheme, _, credentials = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme in {"bearer", "token"}:
        return credentials.strip()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationError("malformed HTTP Basic credentials") from None
        return decoded.partition(":")[2]
    # Never echo the header: a client that sends a bare token would see its secret in the answer (and logs).
    raise AuthenticationError(
        "unsupported authorization scheme: use HTTP Basic with the API token as password, or Bearer"
    )

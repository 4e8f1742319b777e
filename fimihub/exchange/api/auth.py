"""Who is calling: API tokens from ``Authorization: Bearer <token>`` or HTTP Basic (the token as password)."""

from __future__ import annotations

import base64
import binascii

from fastapi import Request

from fimihub.errors import AuthenticationError
from fimihub.hub import Hub
from fimihub.policy import Actor

__all__ = ["current_actor", "hub_of", "token_from_header"]


def hub_of(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def token_from_header(value: str | None) -> str:
    """The token secret carried by an ``Authorization`` header value, or ``""``."""
    if not value:
        return ""
    scheme, _, credentials = value.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return credentials.strip()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationError("malformed HTTP Basic credentials") from None
        return decoded.partition(":")[2]
    raise AuthenticationError(f"unsupported authorization scheme {scheme!r}; use Bearer")


def current_actor(request: Request) -> Actor:
    """FastAPI dependency: the member behind the request's token (401 when there is none)."""
    secret = token_from_header(request.headers.get("authorization"))
    return hub_of(request).authenticate(secret)

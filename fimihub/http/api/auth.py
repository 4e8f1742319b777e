"""Who is calling: API tokens from ``Authorization: Bearer <token>`` or HTTP Basic (the token as password)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import Request, Security
from fastapi.openapi.models import HTTPBase, HTTPBearer
from fastapi.security.base import SecurityBase

from fimihub.errors import AuthenticationError
from fimihub.hub import Hub
from fimihub.policy import Actor

__all__ = ["current_actor", "hub_of", "token_from_header"]


class _Scheme(SecurityBase):
    """A way to send the token, declared in the OpenAPI description; :func:`current_actor` reads the header
    itself, so this answers nothing (and never refuses: a missing token is a 401 in the error envelope)."""

    def __init__(self, model: HTTPBase, name: str) -> None:
        self.model = model
        self.scheme_name = name

    def __call__(self) -> None:
        return None


_BEARER = _Scheme(
    HTTPBearer(bearerFormat="fhk_…", description="An API token: `Authorization: Bearer <token>`."),
    "bearer",
)
_BASIC = _Scheme(
    HTTPBase(scheme="basic", description="HTTP Basic with any user name and the API token as password."),
    "basic",
)


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
    # Never echo the header: a client that sends a bare token would see its secret in the answer (and logs).
    raise AuthenticationError("unsupported authorization scheme; use Bearer")


def current_actor(
    request: Request,
    _bearer: Annotated[None, Security(_BEARER)],
    _basic: Annotated[None, Security(_BASIC)],
) -> Actor:
    """FastAPI dependency: the member behind the request's token (401 when there is none). Either scheme
    will do, which the OpenAPI description says by listing both."""
    secret = token_from_header(request.headers.get("authorization"))
    return hub_of(request).authenticate(secret)

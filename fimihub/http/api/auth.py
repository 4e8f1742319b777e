"""Who is calling: API tokens from ``Authorization: Bearer <token>`` or HTTP Basic (the token as password)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request, Security
from fastapi.openapi.models import HTTPBase, HTTPBearer
from fastapi.security.base import SecurityBase

from fimihub.http.credentials import REST_SCHEMES, token_from_header
from fimihub.http.state import hub_of
from fimihub.policy import Actor

__all__ = ["current_actor"]


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


def current_actor(
    request: Request,
    _bearer: Annotated[None, Security(_BEARER)],
    _basic: Annotated[None, Security(_BASIC)],
) -> Actor:
    """FastAPI dependency: the member behind the request's token (401 when there is none). Either scheme
    will do, which the OpenAPI description says by listing both."""
    secret = token_from_header(request.headers.get("authorization"), REST_SCHEMES)
    return hub_of(request).admin.authenticate(secret)

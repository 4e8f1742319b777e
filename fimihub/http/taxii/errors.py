"""TAXII error messages: every failure leaves the TAXII server as a TAXII error resource.

The resource has ``title``, ``description``, ``http_status`` (a string, as TAXII 2.1 defines it) and
``error_code`` (fimihub's code, e.g. ``not_found``); a validation error adds ``details`` naming the fields.
Errors of the hub keep the status their class carries (:mod:`fimihub.errors`); what only HTTP knows about
(content negotiation, a malformed envelope) is a :class:`TaxiiRefusal`.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from fimihub.errors import AuthenticationError, FimihubError, ValidationError, http_status
from fimihub.exchange.media import TAXII_MEDIA_TYPE

__all__ = [
    "CHALLENGE",
    "TaxiiRefusal",
    "error_response",
    "refusal_response",
    "unexpected_response",
]

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal error",
    503: "Store unavailable",
}
_CODES = {
    400: "invalid",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
}

#: The challenge sent with 401: TAXII clients use HTTP Basic (any user name, the API token as password).
CHALLENGE = 'Basic realm="fimihub TAXII", Bearer realm="fimihub TAXII"'


class TaxiiRefusal(Exception):
    """A request refused for an HTTP reason the hub does not know about (406, 415, 400/422 envelopes)."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _resource(status: int, description: str, code: str, details: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {
        "title": _TITLES.get(status, "Error"),
        "description": description,
        "error_code": code,
        "http_status": str(status),
    }
    if details:
        body["details"] = details
    headers = {"WWW-Authenticate": CHALLENGE} if status == 401 else None
    return Response(json.dumps(body), status_code=status, media_type=TAXII_MEDIA_TYPE, headers=headers)


def error_response(error: FimihubError) -> Response:
    """The TAXII error resource for an error of the hub."""
    details = None
    if isinstance(error, ValidationError):
        details = {"field": error.field, "errors": [{"field": f, "message": m} for f, m in error.errors]}
    status = 401 if isinstance(error, AuthenticationError) else http_status(error)
    return _resource(status, error.message, error.code, details)


def refusal_response(refusal: TaxiiRefusal, headers: dict[str, str] | None = None) -> Response:
    """The TAXII error resource for an HTTP-level refusal."""
    response = _resource(refusal.status, refusal.description, _CODES.get(refusal.status, "invalid"))
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def unexpected_response() -> Response:
    return _resource(500, "internal error; the hub's log has the details", "internal")

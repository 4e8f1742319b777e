"""The one error envelope of the HTTP API, and the handlers that map errors to it.

Every error answer has the body ``{"error": {"code": …, "message": …}}``; validation errors add ``field`` and
``errors`` (each with ``field`` and ``message``). ``tests/http/test_error_shape.py`` pins this shape.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from fimihub.errors import AuthenticationError, FimihubError, ValidationError, http_status

__all__ = ["ERROR_RESPONSES", "ErrorEnvelope", "envelope", "install_error_handlers"]


class FieldError(BaseModel):
    field: str
    message: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None
    errors: list[FieldError] | None = None


class ErrorEnvelope(BaseModel):
    """The body of every error answer (documented in OpenAPI; the handlers below write it)."""

    error: ErrorDetail


def _documented(description: str) -> dict[str, Any]:
    return {"model": ErrorEnvelope, "description": description}


#: The error answers every REST route may give, for the OpenAPI description. ``default`` stands for the
#: rarer ones (405, 409, 503 …) and takes the place of FastAPI's 422, which this API never answers: a bad
#: request is a 400 naming the field.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("A field breaks a rule (named in `field`), malformed JSON, unknown fields"),
    401: _documented("No token, or one that is unknown, expired or revoked"),
    403: _documented("Your role, scopes or forum membership do not allow the act"),
    404: _documented("No such record, or one you may not see"),
    413: _documented("The body is above max_content_length"),
    "default": _documented("Any other error, in the same envelope"),
}

log = logging.getLogger("fimihub.api")

_CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
}


def envelope(status: int, error: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Map every error raised under ``app`` to the envelope; nothing leaves as a bare 500 page."""

    @app.exception_handler(FimihubError)
    async def _fimihub(request: Request, exc: FimihubError) -> JSONResponse:
        headers = (
            {"WWW-Authenticate": 'Bearer realm="fimihub"'} if isinstance(exc, AuthenticationError) else None
        )
        return envelope(http_status(exc), exc.to_dict(), headers)

    @app.exception_handler(RequestValidationError)
    async def _request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
            errors.append((".".join(loc) or "body", str(err.get("msg", "invalid"))))
        if not errors:
            errors = [("body", "invalid request")]
        return envelope(400, ValidationError(errors[0][0], errors[0][1], errors=errors).to_dict())

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return envelope(exc.status_code, {"code": code, "message": message}, dict(exc.headers or {}) or None)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return envelope(500, {"code": "internal", "message": "internal error; the hub's log has the details"})

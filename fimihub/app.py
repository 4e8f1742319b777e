"""``create_app(settings)``: the one place where the ASGI application is assembled.

REST at ``/api/v1``, OpenAPI at ``/openapi.json``, the console at ``/``, the TAXII 2.1 server at ``/taxii2/``.

Around them, from the outside in:

* :class:`SecurityHeaders` gives every answer a Content-Security-Policy, ``X-Frame-Options: DENY``,
  ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``;
* :class:`~fimihub.http.api.ratelimit.RateLimit` answers 429 to a credential over
  ``rate_limit_per_minute`` on the REST API and TAXII;
* :class:`BodyLimit` refuses bodies above ``max_content_length`` with 413, announced or streamed;
* :class:`AllowedMethods` answers ``OPTIONS`` with the methods a path supports (204 and ``Allow``), and makes
  the ``Allow`` of a 405 name all of them;
* :class:`JsonGuard` reads REST bodies with :func:`fimihub.jsontext.loads_limited`, so that JSON no part of
  the hub should handle (too deep, a number beyond a float, an unpaired surrogate) is a 400 naming the field.
"""

from __future__ import annotations

import base64
import email.message
import hashlib
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fimihub import __version__, jsontext
from fimihub.errors import RateLimited, ValidationError
from fimihub.http.api import api_router, envelope, install_error_handlers
from fimihub.http.api.ratelimit import RateLimit
from fimihub.http.console import console_router, mount_static
from fimihub.http.middleware import HttpMiddleware
from fimihub.http.state import serve_hub
from fimihub.http.taxii import TAXII_PREFIX, taxii_app
from fimihub.http.taxii.errors import error_response as taxii_error_response
from fimihub.hub import Hub
from fimihub.settings import Settings

__all__ = [
    "API_CSP",
    "CONSOLE_CSP",
    "AllowedMethods",
    "BodyLimit",
    "JsonGuard",
    "SecurityHeaders",
    "create_app",
]

#: Where the interactive OpenAPI view is served.
DOCS_URL = "/api/docs"
#: The console's pages: everything from the hub itself, nothing inline, never in a frame.
CONSOLE_CSP = (
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)
#: Everything else (JSON, TAXII): nothing to load at all.
API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def create_app(settings: Settings | None = None, *, hub: Hub | None = None) -> FastAPI:
    """The hub's web application. Give a ``hub`` to serve one you hold; otherwise one is opened (and closed)
    from ``settings``."""
    owned = hub is None
    the_hub = hub or Hub.open(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            the_hub.close()

    app = FastAPI(
        title="fimihub",
        version=__version__,
        description="Cross-platform exchange about covert influence operations.",
        lifespan=lifespan,
        docs_url=DOCS_URL,
        redoc_url=None,
    )
    serve_hub(app, the_hub)
    install_error_handlers(app)
    app.include_router(api_router(), prefix="/api/v1")
    app.include_router(console_router())
    app.mount(TAXII_PREFIX, taxii_app(the_hub))
    mount_static(app)
    # Added last is outermost. The TAXII server enforces the body limit itself, answering with a TAXII error.
    app.add_middleware(JsonGuard, prefix="/api/")
    app.add_middleware(AllowedMethods, router=app.router)
    app.add_middleware(BodyLimit, limit=the_hub.settings.max_content_length, exempt=(TAXII_PREFIX,))
    if the_hub.settings.rate_limit_per_minute > 0:
        app.add_middleware(
            RateLimit,
            per_minute=the_hub.settings.rate_limit_per_minute,
            on_limited=_too_many,
            prefixes=("/api/", TAXII_PREFIX + "/"),
        )
    app.add_middleware(SecurityHeaders, docs_url=DOCS_URL)
    return app


def _too_many(refused: RateLimited, path: str) -> ASGIApp:
    """The 429 of the API (its envelope) or of TAXII (an error resource), with the seconds until the
    credential's next request is accepted."""
    headers = {"Retry-After": str(refused.retry_after)}
    if path.startswith(TAXII_PREFIX + "/"):
        response = taxii_error_response(refused)
        response.headers.update(headers)
        return response
    return envelope(refused.http_status, refused.to_dict(), headers)


class BodyLimit(HttpMiddleware):
    """Refuse request bodies above ``limit`` bytes with 413, whether announced or streamed; paths under the
    ``exempt`` prefixes are left to the application mounted there."""

    def __init__(self, app: ASGIApp, limit: int, exempt: tuple[str, ...] = ()) -> None:
        super().__init__(app)
        self.limit = limit
        self.exempt = exempt

    def applies_to(self, scope: Scope) -> bool:
        path = scope.get("path", "")
        return not any(path == p or path.startswith(p + "/") for p in self.exempt)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, receive, send)
            return
        seen = 0
        exceeded = started = False

        async def limited() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    raise _TooLargeError
            return message

        async def guarded(message: Message) -> None:
            # Whoever read the body may have turned the refusal into an answer of its own (FastAPI answers
            # 400 "error parsing the body"): once the limit is passed, the answer is ours.
            nonlocal started
            if exceeded and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with suppress(_TooLargeError):
            await self.app(scope, limited, guarded)
        if exceeded and not started:
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = envelope(413, {"code": "too_large", "message": f"request body above {self.limit} bytes"})
        await response(scope, receive, send)


class _TooLargeError(Exception):
    pass


class JsonGuard(HttpMiddleware):
    """Read the JSON bodies of requests under ``prefix`` with :func:`fimihub.jsontext.loads_limited` before
    the routes do: what it refuses is a 400 naming the field; anything else is handed on unchanged (a body
    that is not JSON at all is the route's to refuse)."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        super().__init__(app)
        self.prefix = prefix

    def applies_to(self, scope: Scope) -> bool:
        return (
            scope["method"] not in {"GET", "HEAD", "OPTIONS"}
            and str(scope.get("path", "")).startswith(self.prefix)
            and _json_declared(Headers(scope=scope).get("content-type"))
        )

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body:
            try:
                jsontext.loads_limited(body)
            except jsontext.JsonRefused as refused:
                error = ValidationError(refused.field, refused.reason)
                await envelope(400, error.to_dict())(scope, receive, send)
                return
            except ValueError:
                pass  # not JSON: FastAPI says so, naming where
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _json_declared(content_type: str | None) -> bool:
    """Whether FastAPI reads a body of this type as JSON: none at all, ``application/json`` or ``…+json``."""
    if not content_type:
        return True
    parsed = email.message.Message()
    parsed["content-type"] = content_type
    if parsed.get_content_maintype() != "application":
        return False
    subtype = parsed.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


class AllowedMethods(HttpMiddleware):
    """``OPTIONS`` on a path the application serves answers 204 with ``Allow`` naming every method of every
    route at that path (mounted applications' routes included); a 405 gets the same ``Allow``. Starlette
    would name only the methods of the first route whose path matches."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        super().__init__(app)
        self.router = router

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        # As the request came: routing changes the scope on its way (a mount moves ``root_path``).
        asked = {k: v for k, v in scope.items() if k in _MATCHED_ON}
        if scope["method"] == "OPTIONS":
            methods = _methods(self.router.routes, asked)
            if methods:
                await Response(status_code=204, headers={"Allow": _allow(methods)})(scope, receive, send)
                return

        async def send_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = _methods(self.router.routes, asked)
                if methods:
                    MutableHeaders(scope=message)["Allow"] = _allow(methods)
            await send(message)

        await self.app(scope, receive, send_allow)


def _allow(methods: Iterable[str]) -> str:
    return ", ".join(sorted({*methods, "OPTIONS"}))


#: The methods asked about for ``Allow``, and the scope keys routes match on.
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
_MATCHED_ON = ("type", "path", "raw_path", "root_path", "app_root_path", "headers", "query_string")


def _methods(routes: Iterable[BaseRoute], scope: Scope) -> set[str]:
    """The methods the routes serve at the scope's path, looking into mounted applications: each method is
    asked about as a request of its own (routes say only whether they match one)."""
    found: set[str] = set()
    for method in _METHODS:
        probe = {k: v for k, v in scope.items() if k in _MATCHED_ON}
        probe["method"] = method
        if _served(routes, probe):
            found.add(method)
    return found


def _served(routes: Iterable[BaseRoute], scope: Scope) -> bool:
    for route in routes:
        match, child = route.matches(scope)
        if isinstance(route, Mount):
            # A mount matches a whole subtree, whatever the method: ask its own routes (none: static files).
            if match is Match.FULL and _served(route.routes, {**scope, **child}):
                return True
        elif match is Match.FULL:
            return True
    return False


class SecurityHeaders(HttpMiddleware):
    """Every answer gets a Content-Security-Policy, ``X-Frame-Options: DENY``, ``X-Content-Type-Options:
    nosniff`` and ``Referrer-Policy: no-referrer`` (what a route set itself is kept).

    HTML pages get :data:`CONSOLE_CSP`, everything else :data:`API_CSP`. The interactive OpenAPI view at
    ``docs_url`` loads Swagger UI from its CDN and starts it with an inline script: its policy admits that CDN
    and exactly that script, by hash."""

    def __init__(self, app: ASGIApp, docs_url: str | None = None) -> None:
        super().__init__(app)
        self.docs_url = docs_url

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.docs_url is not None and scope.get("path") == self.docs_url:
            await self._docs(scope, receive, send)
            return

        started = False

        async def secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                html = headers.get("content-type", "").startswith("text/html")
                _secure(headers, CONSOLE_CSP if html else API_CSP)
            await send(message)

        try:
            await self.app(scope, receive, secured)
        except Exception:
            # Starlette answers an unexpected error outside every middleware: answer here, with the headers,
            # and let the error go on to be logged (nothing more is sent once an answer has started).
            if not started:
                internal = {"code": "internal", "message": "internal error; the hub's log has the details"}
                await envelope(500, internal)(scope, receive, secured)
            raise

    async def _docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The docs page, held back until its body is known, so that its inline scripts can be hashed."""
        start: Message | None = None
        body: list[bytes] = []

        async def held(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            content = b"".join(body)
            _secure(MutableHeaders(scope=start), _docs_csp(content))
            await send(start)
            await send({"type": "http.response.body", "body": content, "more_body": False})

        await self.app(scope, receive, held)


_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def _docs_csp(page: bytes) -> str:
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'"
        for s in _INLINE_SCRIPT.findall(page)
    )
    return (
        "default-src 'none'; "
        f"script-src https://cdn.jsdelivr.net {hashes}; "
        "style-src https://cdn.jsdelivr.net 'unsafe-inline'; "
        "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.jsdelivr.net; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def _secure(headers: MutableHeaders, csp: str) -> None:
    for name, value in (
        ("Content-Security-Policy", csp),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ):
        if name not in headers:
            headers[name] = value

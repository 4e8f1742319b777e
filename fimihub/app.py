"""``create_app(settings)``: the one place where the ASGI application is assembled.

REST at ``/api/v1``, OpenAPI at ``/openapi.json``, the console at ``/``, the TAXII 2.1 server at ``/taxii2/``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fimihub import __version__
from fimihub.exchange.api import api_router, envelope, install_error_handlers
from fimihub.exchange.taxii import TAXII_PREFIX, taxii_app
from fimihub.hub import Hub
from fimihub.settings import Settings
from fimihub.web import console_router, mount_static

__all__ = ["create_app"]


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
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.hub = the_hub
    install_error_handlers(app)
    app.include_router(api_router(), prefix="/api/v1")
    app.include_router(console_router())
    app.mount(TAXII_PREFIX, taxii_app(the_hub))
    mount_static(app)
    # The TAXII server enforces the same limit itself, answering with a TAXII error resource.
    app.add_middleware(BodyLimit, limit=the_hub.settings.max_content_length, exempt=(TAXII_PREFIX,))
    return app


class BodyLimit:
    """Refuse request bodies above ``limit`` bytes with 413, whether announced or streamed; paths under the
    ``exempt`` prefixes are left to the application mounted there."""

    def __init__(self, app: ASGIApp, limit: int, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.limit = limit
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope["type"] != "http" or any(path == p or path.startswith(p + "/") for p in self.exempt):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLargeError
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLargeError:
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = envelope(413, {"code": "too_large", "message": f"request body above {self.limit} bytes"})
        await response(scope, receive, send)


class _TooLargeError(Exception):
    pass

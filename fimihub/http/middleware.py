"""What the hub's ASGI middlewares share: they act on HTTP requests only, and hand everything else on."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["HttpMiddleware"]


class HttpMiddleware:
    """An ASGI middleware around ``app``: the HTTP requests it :meth:`applies_to` go to :meth:`handle`; every
    other request, and every other scope (lifespan, websocket), goes on to ``app`` untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.applies_to(scope):
            await self.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def applies_to(self, scope: Scope) -> bool:
        """Whether this HTTP request is the middleware's to handle (by default, every one)."""
        return True

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle an HTTP request this middleware applies to (calling on ``self.app`` as it needs)."""
        raise NotImplementedError

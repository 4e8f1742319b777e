"""The hub an ASGI application serves, kept on the application's state: set once where the application is
built (:func:`serve_hub`), read by every request of every edge (:func:`hub_of`, also a FastAPI dependency)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request

from fimihub.hub import Hub

__all__ = ["hub_of", "serve_hub"]


def serve_hub(app: Starlette, hub: Hub) -> None:
    """Make ``app`` serve ``hub``: what :func:`hub_of` gives its requests."""
    app.state.hub = hub


def hub_of(request: Request) -> Hub:
    """The hub the application that received ``request`` serves (a mounted application's own, for TAXII)."""
    hub: Hub = request.app.state.hub
    return hub

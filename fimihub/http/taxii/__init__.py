"""The TAXII 2.1 server, mounted at ``/taxii2/``: one API root whose collections are the hub's forums.

:func:`taxii_app` builds it as an ASGI application of its own, so that everything under ``/taxii2/`` (unknown
paths and methods included) answers with TAXII's media type and error resources, and so that it enforces the
API root's ``max_content_length`` itself with a TAXII error. It only translates HTTP to calls of
:class:`~fimihub.hub.Hub` and back; see ``docs/taxii.md``.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from fimihub.http.state import serve_hub
from fimihub.http.taxii.errors import TaxiiRefusal, refusal_response
from fimihub.http.taxii.routes import API_ROOT, taxii_routes
from fimihub.hub import Hub

__all__ = ["API_ROOT", "TAXII_PREFIX", "taxii_app"]

#: Where the TAXII server lives in the hub's URL space.
TAXII_PREFIX = "/taxii2"


def taxii_app(hub: Hub) -> Starlette:
    """The TAXII server over ``hub``, to be mounted at :data:`TAXII_PREFIX`."""
    app = Starlette(routes=taxii_routes(), exception_handlers={HTTPException: _http_error})
    serve_hub(app, hub)
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths (404) and methods (405), as TAXII error resources."""
    assert isinstance(exc, HTTPException)
    description = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404:
        description = f"no TAXII resource at {request.url.path}"
    return refusal_response(TaxiiRefusal(exc.status_code, description), dict(exc.headers or {}))

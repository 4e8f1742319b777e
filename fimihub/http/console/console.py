"""Console routes. Pages are rendered on the server with Jinja2; the token sits in an HttpOnly cookie.

Forms that change something carry a CSRF token derived from the session's cookie (an HMAC of it, so the
server keeps no state and a page of another site, which cannot read the cookie, cannot forge one); a POST
whose ``Origin`` names another site is refused as well. The cookie is ``SameSite=Strict`` besides.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from fimihub.errors import AuthenticationError, FimihubError, PermissionDenied
from fimihub.http.state import hub_of
from fimihub.model import Asset, Fingerprint, Match, Operation, Signal
from fimihub.policy import Actor

__all__ = ["console_router", "mount_static"]

_HERE = Path(__file__).parent
_templates = Jinja2Templates(directory=str(_HERE / "templates"))
COOKIE = "fimihub_token"


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")


def _operation_page(
    request: Request, actor: Actor, operation_id: str, *, error: str | None = None, status: int = 200
) -> Response:
    """An operation with its signals, its accounts (returning ones marked) and its fingerprints."""
    hub = hub_of(request)
    found = hub.get(actor, Operation, operation_id)
    where = {"operation_id": operation_id}
    signals = hub.list(actor, Signal, where=where, limit=500).items
    assets = hub.list(actor, Asset, where=where, limit=500).items
    fingerprints = hub.list(actor, Fingerprint, where=where, limit=50).items
    return _page(
        request,
        "operation.html",
        status=status,
        actor=actor,
        operation=found,
        signals=signals,
        assets=assets,
        recidivists=sum(a.recidivist for a in assets),
        fingerprints=fingerprints,
        error=error,
    )


def _signed_in(request: Request) -> Actor | None:
    secret = request.cookies.get(COOKIE, "")
    if not secret:
        return None
    try:
        return hub_of(request).admin.authenticate(secret)
    except AuthenticationError:
        return None


def csrf_token(secret: str) -> str:
    """The CSRF token of the console session whose cookie holds ``secret``."""
    key = hashlib.sha256(secret.encode("utf-8")).digest()
    return hmac.new(key, b"fimihub-console-csrf-v1", hashlib.sha256).hexdigest()


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-site form post (browsers send Origin with every POST)
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


def _acting(request: Request, csrf: str) -> Actor | None:
    """The signed-in member behind a form post, once its CSRF token and origin check out."""
    if not _same_origin(request):
        raise PermissionDenied("a console form was posted from another site")
    secret = request.cookies.get(COOKIE, "")
    actor = _signed_in(request)
    if actor is not None and not hmac.compare_digest(csrf_token(secret), csrf):
        raise PermissionDenied("the form's CSRF token is missing or stale: reload the page and try again")
    return actor


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("actor", None)
    context["hub_name"] = hub_of(request).settings.hub_name
    secret = request.cookies.get(COOKIE, "")
    context["csrf"] = csrf_token(secret) if secret else ""
    return _templates.TemplateResponse(request, template, context, status_code=status)


def console_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        actor = _signed_in(request)
        if actor is None:
            return _page(request, "login.html")
        hub = hub_of(request)
        operations = hub.list(actor, Operation, limit=200).items
        signals = hub.list(actor, Signal, limit=1000).items
        return _page(
            request,
            "home.html",
            actor=actor,
            operations=operations,
            signal_count=len(signals),
            forums=hub.admin.forums(actor),
        )

    @router.post("/login")
    def login(request: Request, token: Annotated[str, Form()]) -> Response:
        if not _same_origin(request):
            return _page(request, "login.html", status=403, error="sign in from this hub's own page")
        try:
            hub_of(request).admin.authenticate(token.strip())
        except AuthenticationError as exc:
            return _page(request, "login.html", status=401, error=exc.message)
        response = RedirectResponse("/", status_code=303)
        # Secure whenever the console is reached over HTTPS (behind a proxy: uvicorn's --proxy-headers).
        response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict", secure=_https(request))
        return response

    @router.post("/logout")
    def logout(request: Request) -> Response:
        # Signing out needs no CSRF token (the worst a forged sign-out does is sign someone out), but a post
        # from another site is still refused.
        if not _same_origin(request):
            return _page(request, "login.html", status=403, error="sign out from this hub's own page")
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE, httponly=True, samesite="strict", secure=_https(request))
        return response

    @router.get("/operations/{operation_id}", response_class=HTMLResponse)
    def operation(request: Request, operation_id: str) -> Response:
        actor = _signed_in(request)
        if actor is None:
            return RedirectResponse("/", status_code=303)
        return _operation_page(request, actor, operation_id)

    @router.post("/operations/{operation_id}/fingerprint")
    def fingerprint(request: Request, operation_id: str, csrf: Annotated[str, Form()] = "") -> Response:
        actor = _signed_in(request)
        if actor is None:
            return RedirectResponse("/", status_code=303)
        try:
            _acting(request, csrf)
            hub_of(request).resurgence.fingerprint_operation(actor, operation_id)
        except FimihubError as exc:
            return _operation_page(request, actor, operation_id, error=exc.message, status=exc.http_status)
        return RedirectResponse(f"/operations/{operation_id}", status_code=303)

    @router.get("/matches", response_class=HTMLResponse)
    def matches(request: Request, status: str = "pending") -> Response:
        actor = _signed_in(request)
        if actor is None:
            return RedirectResponse("/", status_code=303)
        where = {"owner_org": actor.org.id, **({"status": status} if status != "all" else {})}
        found = hub_of(request).list(actor, Match, where=where, limit=500).items
        return _page(request, "matches.html", actor=actor, matches=found, showing=status)

    @router.post("/matches/{match_id}/review")
    def review(
        request: Request, match_id: str, status: Annotated[str, Form()], csrf: Annotated[str, Form()] = ""
    ) -> Response:
        actor = _signed_in(request)
        if actor is None:
            return RedirectResponse("/", status_code=303)
        try:
            _acting(request, csrf)
            hub_of(request).matching.review(actor, match_id, status)
        except FimihubError as exc:
            return _page(
                request, "matches.html", status=exc.http_status, actor=actor, matches=[], error=exc.message
            )
        return RedirectResponse("/matches", status_code=303)

    return router

"""REST routes for private matching: private set intersection sessions relayed between two organisations.

The messages are base64 text in JSON. A request of ``n`` values is about ``47 n`` characters, so the body
limit of the API (``max_content_length``) bounds how many values one session can hold over HTTP.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from fimihub.http.api.params import ActorDep, JsonObject
from fimihub.http.state import hub_of
from fimihub.model import PsiSession

__all__ = ["psi_router"]

_MESSAGES = frozenset({"request", "setup", "response"})


def psi_router() -> APIRouter:
    router = APIRouter(prefix="/psi", tags=["private matching"])

    @router.post(
        "/sessions",
        status_code=201,
        summary="Open a private matching session to another organisation, with your blinded request",
    )
    def open_session(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        return summary(hub_of(request).psi.open(actor, body))

    @router.get("/sessions", summary="Your organisation's live sessions, asked or asking (no messages)")
    def sessions(
        request: Request,
        actor: ActorDep,
        role: Annotated[str | None, Query(pattern="^(requester|responder)$")] = None,
        status: str | None = None,
        after: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        page = hub_of(request).psi.sessions(actor, role=role, status=status, after=after, limit=limit)
        return {"items": [summary(s) for s in page.items], "next": page.next_after}

    @router.get("/sessions/{session_id}", summary="A session with its messages (audited)")
    def session(request: Request, actor: ActorDep, session_id: str) -> dict[str, Any]:
        return hub_of(request).psi.session(actor, session_id).model_dump(mode="json")

    @router.post("/sessions/{session_id}/answer", summary="Answer a session: setup and response messages")
    def answer(request: Request, actor: ActorDep, session_id: str, body: JsonObject) -> dict[str, Any]:
        answered = hub_of(request).psi.answer(actor, session_id, body.get("setup"), body.get("response"))
        return summary(answered)

    @router.post("/sessions/{session_id}/decline", summary="Decline a session addressed to you")
    def decline(request: Request, actor: ActorDep, session_id: str, body: JsonObject) -> dict[str, Any]:
        return summary(hub_of(request).psi.decline(actor, session_id, body.get("reason", "")))

    return router


def summary(session: PsiSession) -> dict[str, Any]:
    """A session without its messages (what listings show)."""
    return session.model_dump(mode="json", exclude=set(_MESSAGES))

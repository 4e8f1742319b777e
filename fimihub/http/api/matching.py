"""REST routes for matching: look items up against shared signals, and work the review queue."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from fimihub.http.api.params import ActorDep, JsonObject, body_field
from fimihub.http.state import hub_of
from fimihub.model import Match

__all__ = ["matching_router"]


def matching_router() -> APIRouter:
    router = APIRouter(tags=["matching"])

    @router.post(
        "/match", summary="Match items (accounts, handles, URLs, texts, image hashes) against signals"
    )
    def match(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        items = body_field(body, "items", list, "must be a list of {kind, value} objects")
        record = body_field(body, "record", bool, "must be true or false", default=False)
        answers = hub_of(request).match(actor, items, record=record)
        return {"items": [{**asdict(a), "kind": a.kind.value} for a in answers]}

    @router.get("/matches", summary="Your organisation's review queue")
    def matches(
        request: Request,
        actor: ActorDep,
        status: str | None = None,
        after: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        where = {"owner_org": actor.org.id, **({"status": status} if status else {})}
        page = hub_of(request).list(actor, Match, where=where, after=after, limit=limit)
        return {"items": [m.model_dump(mode="json") for m in page.items], "next": page.next_after}

    @router.get("/matches/{match_id}")
    def get_match(request: Request, actor: ActorDep, match_id: str) -> dict[str, Any]:
        return hub_of(request).get(actor, Match, match_id).model_dump(mode="json")

    @router.post("/matches/{match_id}/review", summary="Confirm or reject a match")
    def review(request: Request, actor: ActorDep, match_id: str, body: JsonObject) -> dict[str, Any]:
        status = body_field(body, "status", str, "field required: confirmed or rejected")
        note = body_field(body, "note", str, "must be a string", default="")
        return hub_of(request).matching.review(actor, match_id, status, note).model_dump(mode="json")

    return router

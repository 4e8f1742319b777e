"""REST routes for the review queue: items with their hits, decisions (one or in bulk), what sharers learn
back, and quarantined signals."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from fimihub.errors import ValidationError
from fimihub.http.api.params import ActorDep, JsonObject, body_field
from fimihub.http.state import hub_of
from fimihub.hub.review import MAX_PAGE, ReviewPage, ReviewQuery, ReviewSort
from fimihub.model import ReviewItem, ReviewItemKind, ReviewStatus
from fimihub.policy import Actor

__all__ = ["review_router"]

#: Most hits listed with each item of a page (``GET /review/items/{id}`` lists them all).
HITS_PER_ITEM = 100


def review_router() -> APIRouter:
    router = APIRouter(prefix="/review", tags=["review"])

    @router.get("/items", summary="Your organisation's review queue: items with their hits, paged")
    def items(
        request: Request,
        actor: ActorDep,
        status: str = "open",
        operation_id: str | None = None,
        forum_id: str | None = None,
        source: str | None = None,
        kind: str | None = None,
        platform: str | None = None,
        min_score: Annotated[float | None, Query(ge=0, le=1)] = None,
        max_age_days: Annotated[float | None, Query(gt=0)] = None,
        sort: str = "priority",
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
        hits: bool = True,
    ) -> dict[str, Any]:
        query = ReviewQuery(
            status=None if status == "all" else _choice(ReviewStatus, status, "status", "all"),
            operation_id=operation_id,
            forum_id=forum_id,
            source=source,
            kind=_choice(ReviewItemKind, kind, "kind") if kind else None,
            platform=platform,
            min_score=min_score,
            max_age_days=max_age_days,
            sort=_choice(ReviewSort, sort, "sort"),
            offset=offset,
            limit=limit,
        )
        hub = hub_of(request)
        page = hub.review.list(actor, query)
        return _page(hub, actor, page, hits)

    @router.get("/items/{item_id}", summary="One review item with all its hits")
    def item(request: Request, actor: ActorDep, item_id: str) -> dict[str, Any]:
        hub = hub_of(request)
        found = hub.review.get(actor, item_id)
        return _item(found, [h.model_dump(mode="json") for h in hub.review.hits(actor, item_id)])

    @router.post("/items/{item_id}/decision", summary="Confirm or reject one review item")
    def decide_one(request: Request, actor: ActorDep, item_id: str, body: JsonObject) -> dict[str, Any]:
        (decided,) = _decide(request, actor, [item_id], body)
        return decided

    @router.post("/decisions", summary="Confirm or reject many review items at once, all or none")
    def decide_many(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        ids = body_field(body, "items", list, "must be a list of review item ids")
        return {"items": _decide(request, actor, ids, body)}

    @router.get("/feedback", summary="How your organisation's signals fared in other members' reviews")
    def feedback(request: Request, actor: ActorDep) -> dict[str, Any]:
        return asdict(hub_of(request).review.feedback_summary(actor))

    @router.get("/quarantine", summary="Quarantined signals: your organisation's (every one for hub admins)")
    def quarantine(
        request: Request, actor: ActorDep, everything: Annotated[bool, Query(alias="all")] = False
    ) -> dict[str, Any]:
        watches = hub_of(request).review.watches(actor, quarantined=None if everything else True)
        return {"items": [w.model_dump(mode="json") for w in watches]}

    @router.post("/quarantine/{signal_id}/release", summary="Release a quarantined signal (admins)")
    def release(request: Request, actor: ActorDep, signal_id: str, body: JsonObject) -> dict[str, Any]:
        note = body_field(body, "note", str, "must be a string", default="")
        watch, opened = hub_of(request).review.release(actor, signal_id, note)
        return {**watch.model_dump(mode="json"), "opened": opened}

    return router


def _decide(request: Request, actor: Actor, ids: list[Any], body: dict[str, Any]) -> list[dict[str, Any]]:
    decision = body_field(body, "decision", str, "field required: confirm or reject")
    reason = body_field(body, "reason", str, "must be a string", default="")
    action = body.get("action")
    if action is not None and not isinstance(action, dict):
        raise ValidationError("action", "must be an object with the action's kind")
    decided = hub_of(request).review.decide(actor, ids, decision, reason=reason, action=action)
    return [d.model_dump(mode="json") for d in decided]


def _choice(kind: Any, value: str, name: str, *extra: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = [v.value for v in kind] + list(extra)
        raise ValidationError(name, f"{value!r} is not one of {allowed}") from None


def _page(hub: Any, actor: Actor, page: ReviewPage, hits: bool) -> dict[str, Any]:
    items = [
        _item(
            item,
            [h.model_dump(mode="json") for h in hub.review.hits(actor, item.id)[:HITS_PER_ITEM]]
            if hits
            else None,
        )
        for item in page.items
    ]
    return {
        "items": items,
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "next_offset": page.next_offset,
        "totals": page.totals,
    }


def _item(item: ReviewItem, hits: list[dict[str, Any]] | None) -> dict[str, Any]:
    data = item.model_dump(mode="json")
    if hits is not None:
        data["hits"] = hits
    return data

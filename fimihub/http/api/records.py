"""REST routes for the shareable records: operations, assets, signals, actions, feedback, cases, leads.

Each kind gets the same five routes, built by :func:`record_router`; bodies are validated by the hub, which
names the bad field in the error.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from fimihub.http.api.params import ActorDep, JsonObject, body_field
from fimihub.http.state import hub_of
from fimihub.hub import RECORD_KINDS, filterable_fields
from fimihub.model import Governed

__all__ = ["record_routers"]


def _page(items: list[Governed], next_after: str | None) -> dict[str, Any]:
    return {"items": [r.model_dump(mode="json") for r in items], "next": next_after}


def record_router(name: str, kind: type[Governed]) -> APIRouter:
    """The routes of one record kind under ``/<name>``."""
    router = APIRouter(prefix=f"/{name}", tags=[name])
    filters = filterable_fields(kind)

    @router.get("", summary=f"List {name} you may see")
    def list_records(
        request: Request,
        actor: ActorDep,
        after: Annotated[str | None, Query(description="the `next` of the previous page")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        where = {k: _query_value(v) for k, v in request.query_params.items() if k in filters}
        page = hub_of(request).list(actor, kind, where=where, after=after, limit=limit)
        return _page(list(page.items), page.next_after)

    @router.post("", status_code=201, summary=f"Create one of {name}")
    def create_record(
        request: Request, actor: ActorDep, body: JsonObject, response: Response
    ) -> dict[str, Any]:
        record = hub_of(request).create(actor, kind, body)
        response.headers["Location"] = f"{request.url.path.rstrip('/')}/{record.id}"
        return record.model_dump(mode="json")

    @router.get("/{record_id}", summary=f"One of {name}")
    def get_record(request: Request, actor: ActorDep, record_id: str) -> dict[str, Any]:
        return hub_of(request).get(actor, kind, record_id).model_dump(mode="json")

    @router.patch("/{record_id}", summary=f"Change one of {name}")
    def update_record(request: Request, actor: ActorDep, record_id: str, body: JsonObject) -> dict[str, Any]:
        return hub_of(request).update(actor, kind, record_id, body).model_dump(mode="json")

    @router.delete("/{record_id}", status_code=204, summary=f"Delete one of {name}")
    def delete_record(request: Request, actor: ActorDep, record_id: str) -> Response:
        hub_of(request).delete(actor, kind, record_id)
        return Response(status_code=204)

    @router.post("/{record_id}/share", summary=f"Share one of {name} into a forum")
    def share_record(request: Request, actor: ActorDep, record_id: str, body: JsonObject) -> dict[str, Any]:
        forum_id = body_field(body, "forum_id", str, "field required")
        marking = body.get("marking")
        shared = hub_of(request).share(
            actor, kind, record_id, forum_id, marking=marking if isinstance(marking, dict) else None
        )
        return shared.model_dump(mode="json")

    @router.post(
        "/{record_id}/declassify",
        summary=f"Widen the marking of one of {name} (owner organisation's admins; audited)",
    )
    def declassify_record(
        request: Request, actor: ActorDep, record_id: str, body: JsonObject
    ) -> dict[str, Any]:
        marking = body_field(body, "marking", dict, "field required: the new marking")
        reason = body_field(body, "reason", str, "field required: why the marking is widened")
        declassified = hub_of(request).declassify(actor, kind, record_id, marking, reason=reason)
        return declassified.model_dump(mode="json")

    return router


def record_routers() -> list[APIRouter]:
    return [record_router(name, kind) for name, kind in RECORD_KINDS.items()]


def _query_value(value: str) -> str | bool:
    return {"true": True, "false": False}.get(value.lower(), value)

"""REST routes for an operation's life: move it (with why), assess it, read its history. See
docs/workflows.md."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request

from fimihub.errors import ValidationError
from fimihub.http.api.params import ActorDep, JsonObject
from fimihub.http.state import hub_of

__all__ = ["lifecycle_router"]


def lifecycle_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.post("/operations/{operation_id}/status", summary="Move an operation along its life, saying why")
    def move(request: Request, actor: ActorDep, operation_id: str, body: JsonObject) -> dict[str, Any]:
        """`{"status": "disrupted" | "monitoring" | "closed" | "investigating", "reason": "…"}`. Entering
        monitoring builds its fingerprint (`fingerprint`, or `fingerprint_note` saying why not)."""
        status, reason = body.get("status"), body.get("reason")
        if not isinstance(status, str):
            raise ValidationError("status", "field required" if status is None else "must be a string")
        if not isinstance(reason, str):
            raise ValidationError("reason", "field required" if reason is None else "must be a string")
        moved = hub_of(request).lifecycle.move(actor, operation_id, status, reason)
        return {
            "operation": moved.operation.model_dump(mode="json"),
            "fingerprint": moved.fingerprint.model_dump(mode="json") if moved.fingerprint else None,
            "fingerprint_note": moved.fingerprint_note,
        }

    @router.post("/operations/{operation_id}/assessment", summary="Assess attribution and confidence")
    def assess(request: Request, actor: ActorDep, operation_id: str, body: JsonObject) -> dict[str, Any]:
        """`{"attribution": "…", "attribution_confidence": 0..100, "rationale": "…"}`."""
        return hub_of(request).lifecycle.assess(actor, operation_id, body).model_dump(mode="json")

    @router.get("/operations/{operation_id}/history", summary="Moves, assessments and updates (its org)")
    def history(request: Request, actor: ActorDep, operation_id: str) -> dict[str, Any]:
        entries = hub_of(request).lifecycle.history(actor, operation_id)
        return {"items": [{**asdict(e), "at": e.at.isoformat()} for e in entries]}

    return router

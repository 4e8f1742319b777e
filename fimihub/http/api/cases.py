"""REST routes for joint investigations: open a case (with its checklist), add and complete tasks, tick the
checklist, link monetisation assets, note, close. Reading, listing and sharing cases are the record routes
(``/cases``). See docs/workflows.md."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from fimihub.errors import ValidationError
from fimihub.http.api.params import ActorDep, JsonObject
from fimihub.http.state import hub_of

__all__ = ["cases_router"]


def cases_router() -> APIRouter:
    router = APIRouter(tags=["cases"])

    @router.post("/cases", status_code=201, summary="Open a case; its checklist comes from its case_type")
    def open_case(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        """`{"title": …, "case_type": "influence-operation" | "monetisation" | "joint", "operation_ids":
        […]}`; a joint case is worked by both the covert-influence and the monetisation integrity teams."""
        return hub_of(request).cases.open(actor, body).model_dump(mode="json")

    @router.post(
        "/cases/{case_id}/tasks", summary="Add a task (assignee: a member of the case's organisation)"
    )
    def add_task(request: Request, actor: ActorDep, case_id: str, body: JsonObject) -> dict[str, Any]:
        return hub_of(request).cases.add_task(actor, case_id, body).model_dump(mode="json")

    @router.post("/cases/{case_id}/tasks/{task_id}/done", summary="Mark a task done")
    def complete_task(request: Request, actor: ActorDep, case_id: str, task_id: str) -> dict[str, Any]:
        return hub_of(request).cases.complete_task(actor, case_id, task_id).model_dump(mode="json")

    @router.post("/cases/{case_id}/checklist/{step}/done", summary="Mark a checklist step done (from 0)")
    def check_step(request: Request, actor: ActorDep, case_id: str, step: int) -> dict[str, Any]:
        return hub_of(request).cases.check_step(actor, case_id, step).model_dump(mode="json")

    @router.post(
        "/cases/{case_id}/monetisation", summary="Link a monetisation asset, with what it spent or earned"
    )
    def add_monetisation(request: Request, actor: ActorDep, case_id: str, body: JsonObject) -> dict[str, Any]:
        return hub_of(request).cases.add_monetisation(actor, case_id, body).model_dump(mode="json")

    @router.post("/cases/{case_id}/notes", summary="Add a note to the case's timeline")
    def note(request: Request, actor: ActorDep, case_id: str, body: JsonObject) -> dict[str, Any]:
        text = body.get("text")
        if not isinstance(text, str):
            raise ValidationError("text", "field required" if text is None else "must be a string")
        return hub_of(request).cases.note(actor, case_id, text).model_dump(mode="json")

    @router.post("/cases/{case_id}/close", summary="Close the case, saying why")
    def close(request: Request, actor: ActorDep, case_id: str, body: JsonObject) -> dict[str, Any]:
        reason = body.get("reason", "")
        if not isinstance(reason, str):
            raise ValidationError("reason", "must be a string")
        return hub_of(request).cases.close(actor, case_id, reason).model_dump(mode="json")

    return router

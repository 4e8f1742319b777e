"""REST routes for lead triage: the queue of leads an organisation has yet to triage, and the triage itself.
Leads are submitted, read and amended through the record routes (``/leads``). See docs/workflows.md."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from fimihub.http.api.params import ActorDep, JsonObject
from fimihub.http.state import hub_of

__all__ = ["leads_router"]


def leads_router() -> APIRouter:
    router = APIRouter()

    @router.get(
        "/leads/triage",
        tags=["leads"],
        summary="The leads your organisation reads and has not triaged yet, with duplicates linked",
    )
    def triage_queue(request: Request, actor: ActorDep) -> dict[str, Any]:
        queued = hub_of(request).leads.queue(actor)
        return {
            "total": len(queued),
            "items": [
                {**item.lead.model_dump(mode="json"), "duplicates": list(item.duplicates)} for item in queued
            ],
        }

    @router.post(
        "/leads/{lead_id}/triage",
        tags=["leads"],
        summary="Triage a lead for your organisation: attach it, open an operation from it, or dismiss it",
    )
    def triage(request: Request, actor: ActorDep, lead_id: str, body: JsonObject) -> dict[str, Any]:
        """One of `{"operation_id": "operation--…"}`, `{"new_operation": {"name": …}}` or
        `{"dismiss": "reason"}`, with an optional `"outcome"`: the public outcome the reporter reads. Answers
        your organisation's own copy of the lead, with the operation or the reason; the reporter sees only
        that your organisation triaged or dismissed it, and the outcome. Deciding twice is a 409."""
        return hub_of(request).leads.triage(actor, lead_id, body).model_dump(mode="json")

    return router

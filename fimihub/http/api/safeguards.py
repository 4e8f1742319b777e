"""REST routes for the human-rights safeguards: a second reviewer's approval of a proposed action, and the
register of government requests for data (hub admins). See docs/safeguards.md."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from fimihub.errors import ValidationError
from fimihub.http.api.params import ActorDep, JsonObject
from fimihub.http.state import hub_of

__all__ = ["safeguards_router"]

OptionalJsonObject = Annotated[dict[str, Any] | None, Body()]


def _string(body: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValidationError(name, "field required" if value is None else "must be a string")
    return value


def safeguards_router() -> APIRouter:
    router = APIRouter()

    @router.post(
        "/actions/{action_id}/approve",
        tags=["actions"],
        summary="Approve a proposed action (a second reviewer of its organisation; audited)",
    )
    def approve_action(
        request: Request, actor: ActorDep, action_id: str, body: OptionalJsonObject = None
    ) -> dict[str, Any]:
        """A member of the action's organisation other than its proposer, with a reviewer, analyst or admin
        role and the `write` scope, approves a proposed action: `{"note": "why"}` (optional). An action that
        names a sensitive target is enforced only once approved."""
        note = _string(body or {}, "note")
        return hub_of(request).safeguards.approve_action(actor, action_id, note).model_dump(mode="json")

    @router.get(
        "/government-requests",
        tags=["government requests"],
        summary="The register of government requests for data (hub admins)",
    )
    def government_requests(request: Request, actor: ActorDep) -> dict[str, Any]:
        """Every request from a public authority for data held in the hub, oldest first, with every decision
        on it; read from the audit log."""
        found = hub_of(request).government.requests(actor)
        return {"items": [r.to_json() for r in found]}

    @router.post(
        "/government-requests",
        status_code=201,
        tags=["government requests"],
        summary="Log a government request for data (hub admins); refused by default",
    )
    def log_government_request(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        """`{"authority", "legal_basis", "scope", "reference"?}`: the request is registered, refused."""
        logged = hub_of(request).government.log(
            actor,
            authority=_string(body, "authority", required=True),
            legal_basis=_string(body, "legal_basis"),
            scope=_string(body, "scope", required=True),
            reference=_string(body, "reference"),
        )
        return logged.to_json()

    @router.post(
        "/government-requests/{request_id}/decide",
        tags=["government requests"],
        summary="Decide on a government request (hub admins): refused, or disclosed with a justification",
    )
    def decide_government_request(
        request: Request, actor: ActorDep, request_id: str, body: JsonObject
    ) -> dict[str, Any]:
        """`{"decision": "refused" | "disclosed", "justification": "…"}`; disclosing needs a written
        justification and a request that states its legal basis. Audited."""
        decided = hub_of(request).government.decide(
            actor,
            request_id,
            _string(body, "decision", required=True),
            _string(body, "justification"),
        )
        return decided.to_json()

    return router

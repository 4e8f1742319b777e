"""REST route for the audit chain's head, signed, for peers and auditors to keep as an anchor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from fimihub.http.api.auth import current_actor
from fimihub.http.state import hub_of
from fimihub.policy import Actor

__all__ = ["audit_router"]

ActorDep = Annotated[Actor, Depends(current_actor)]


def audit_router() -> APIRouter:
    router = APIRouter()

    @router.get(
        "/audit/head",
        tags=["audit"],
        summary="The audit chain's head (seq, hash), signed with this hub's key",
    )
    def audit_head(request: Request, actor: ActorDep) -> dict[str, Any]:
        """The newest audit event's ``seq`` and ``hash`` at this moment, as an anchor signed with the hub's
        own Ed25519 key (hub admins only). Keep the answer as it is: ``fimihub audit verify --anchor FILE
        --public-key KEY`` checks later that the chain still holds it."""
        return hub_of(request).audit.head(actor).to_json()

    return router

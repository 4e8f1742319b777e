"""REST routes for who takes part: the caller, organisations, members, forums, tokens and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from fimihub.errors import ValidationError
from fimihub.http.api.params import ActorDep, JsonObject, body_field
from fimihub.http.state import hub_of

__all__ = ["admin_router"]


def admin_router() -> APIRouter:
    router = APIRouter()

    @router.get("/whoami", tags=["identity"], summary="The member and organisation behind the token")
    def whoami(actor: ActorDep) -> dict[str, Any]:
        return {
            "member": actor.member.model_dump(mode="json"),
            "organisation": actor.org.model_dump(mode="json"),
            "forums": sorted(actor.forums),
            "scopes": sorted(actor.scopes) if actor.scopes is not None else None,
        }

    @router.get("/organisations", tags=["organisations"])
    def organisations(request: Request, actor: ActorDep) -> dict[str, Any]:
        return {"items": [o.model_dump(mode="json") for o in hub_of(request).admin.organisations(actor)]}

    @router.post("/organisations", tags=["organisations"], status_code=201)
    def create_organisation(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        return hub_of(request).admin.create_organisation(actor, body).model_dump(mode="json")

    @router.get("/organisations/{org_id}", tags=["organisations"])
    def organisation(request: Request, actor: ActorDep, org_id: str) -> dict[str, Any]:
        return hub_of(request).admin.organisation(actor, org_id).model_dump(mode="json")

    @router.put(
        "/organisations/{org_id}/identifier-key",
        tags=["organisations"],
        summary="Register the organisation's identifier key (public half): its queued platform ids are"
        " sealed to it",
    )
    def set_identifier_key(
        request: Request, actor: ActorDep, org_id: str, body: JsonObject
    ) -> dict[str, Any]:
        public_key = body_field(
            body, "public_key", str, "must be a string: the X25519 public key, base64 or hex"
        )
        return hub_of(request).identifiers.set_key(actor, org_id, public_key).model_dump(mode="json")

    @router.get("/members", tags=["members"])
    def members(request: Request, actor: ActorDep, org_id: str | None = None) -> dict[str, Any]:
        return {"items": [m.model_dump(mode="json") for m in hub_of(request).admin.members(actor, org_id)]}

    @router.post("/members", tags=["members"], status_code=201)
    def create_member(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        return hub_of(request).admin.create_member(actor, body).model_dump(mode="json")

    @router.get("/forums", tags=["forums"])
    def forums(request: Request, actor: ActorDep) -> dict[str, Any]:
        return {"items": [f.model_dump(mode="json") for f in hub_of(request).admin.forums(actor)]}

    @router.post("/forums", tags=["forums"], status_code=201)
    def create_forum(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        return hub_of(request).admin.create_forum(actor, body).model_dump(mode="json")

    @router.get("/forums/{forum_id}", tags=["forums"])
    def forum(request: Request, actor: ActorDep, forum_id: str) -> dict[str, Any]:
        return hub_of(request).admin.forum(actor, forum_id).model_dump(mode="json")

    @router.patch("/forums/{forum_id}", tags=["forums"], summary="Change a forum's policy (its admins)")
    def update_forum(request: Request, actor: ActorDep, forum_id: str, body: JsonObject) -> dict[str, Any]:
        return hub_of(request).admin.update_forum(actor, forum_id, body).model_dump(mode="json")

    @router.get(
        "/forums/{forum_id}/key", tags=["forums"], summary="The forum's pseudonymisation key (members)"
    )
    def forum_key(request: Request, actor: ActorDep, forum_id: str) -> dict[str, Any]:
        key = hub_of(request).keys.forum_key(actor, forum_id)
        return {"key_id": key.id, "forum_id": key.forum_id, "key": key.secret, "created_at": key.created_at}

    @router.post(
        "/forums/{forum_id}/pseudonymise",
        tags=["forums"],
        summary="Hash personal identifiers with the forum's key, as signals of that forum hold them",
    )
    def pseudonymise(request: Request, actor: ActorDep, forum_id: str, body: JsonObject) -> dict[str, Any]:
        values = body.get("values")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValidationError("values", "must be a list of strings")
        hashed = hub_of(request).keys.pseudonymise(actor, forum_id, str(body.get("kind", "")), values)
        return {"kind": body.get("kind"), "values": hashed}

    @router.put("/forums/{forum_id}/members/{org_id}", tags=["forums"])
    def join_forum(request: Request, actor: ActorDep, forum_id: str, org_id: str) -> dict[str, Any]:
        return hub_of(request).admin.set_forum_membership(actor, forum_id, org_id).model_dump(mode="json")

    @router.delete("/forums/{forum_id}/members/{org_id}", tags=["forums"])
    def leave_forum(request: Request, actor: ActorDep, forum_id: str, org_id: str) -> dict[str, Any]:
        forum = hub_of(request).admin.set_forum_membership(actor, forum_id, org_id, member=False)
        return forum.model_dump(mode="json")

    @router.post(
        "/tokens",
        tags=["tokens"],
        status_code=201,
        summary="Issue a token; the secret is in the answer this once",
    )
    def issue_token(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        member_id = body_field(body, "member_id", str, "must be a string", default=actor.member.id)
        ttl = body.get("ttl_days")
        if ttl is not None and not isinstance(ttl, int):
            raise ValidationError("ttl_days", "must be an integer")
        issued = hub_of(request).admin.issue_token(
            actor, member_id, scopes=body.get("scopes"), ttl_days=ttl, name=str(body.get("name", "token"))
        )
        return {**_token(issued.token.model_dump(mode="json")), "secret": issued.secret}

    @router.get("/tokens", tags=["tokens"])
    def tokens(request: Request, actor: ActorDep, member_id: str | None = None) -> dict[str, Any]:
        found = hub_of(request).admin.tokens(actor, member_id or actor.member.id)
        return {"items": [_token(t.model_dump(mode="json")) for t in found]}

    @router.delete("/tokens/{token_id}", tags=["tokens"])
    def revoke_token(request: Request, actor: ActorDep, token_id: str) -> dict[str, Any]:
        return _token(hub_of(request).admin.revoke_token(actor, token_id).model_dump(mode="json"))

    @router.get("/audit/events", tags=["audit"])
    def audit_events(
        request: Request,
        actor: ActorDep,
        after_seq: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        events = hub_of(request).audit.events(actor, after_seq=after_seq, limit=limit)
        return {"items": [e.model_dump(mode="json") for e in events]}

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


def _token(data: dict[str, Any]) -> dict[str, Any]:
    # The hash is no secret but has no use outside the store: leave it out of answers.
    data.pop("token_hash", None)
    return data

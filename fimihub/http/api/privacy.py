"""REST routes for data-subject requests (hub admins): find, export and erase what the hub holds about one
identifier. The identifier travels in the JSON body, never in the URL, so it stays out of access logs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from fimihub.http.api.params import ActorDep
from fimihub.http.state import hub_of

__all__ = ["privacy_router"]

JsonObject = Annotated[
    dict[str, Any],
    Body(
        description='`{"kind": "account_id", "platform": "x", "value": "12345", "request_ref": "DSR-17"}`;'
        " kind is one of account_id, handle, email, phone, domain, url (account ids and handles need"
        " platform)"
    ),
]
#: Fields of a body that are not the subject's: they go to the use case as its arguments.
_ARGUMENTS = ("request_ref", "dry_run", "keep")


def _subject(body: dict[str, Any]) -> dict[str, Any]:
    """The subject of a body: every field but the arguments (the hub refuses, by name, what is not one of
    ``kind``, ``value``, ``platform``, after it has checked who asks)."""
    return {k: v for k, v in body.items() if k not in _ARGUMENTS}


def privacy_router() -> APIRouter:
    router = APIRouter(prefix="/privacy/subject", tags=["privacy"])

    @router.post("/find", summary="Find what the hub holds about an identifier (hub admins; audited)")
    def find(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        """Every record and TAXII object that concerns the identifier, its keyed forms included, by id, and
        what a legal hold keeps; audited as ``subject.find`` with ``request_ref``."""
        found = hub_of(request).subjects.find(actor, _subject(body), request_ref=body.get("request_ref", ""))
        return found.to_json()

    @router.post("/export", summary="Export what the hub holds about an identifier (hub admins; audited)")
    def export(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        """Everything found, as one document: records by kind in their API form, the TAXII objects as the
        collections hold them, and the identifier's keyed forms; audited as ``subject.export``."""
        return hub_of(request).subjects.export(actor, _subject(body), request_ref=body.get("request_ref", ""))

    @router.post("/erase", summary="Erase what the hub holds about an identifier (hub admins; audited)")
    def erase(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        """A dry run unless ``"dry_run": false``: signals revoked first, records deleted, TAXII objects
        withdrawn with redacted tombstones, in one transaction; legal holds and the ids in ``keep`` spared.
        Audited as ``subject.erase``."""
        report = hub_of(request).subjects.erase(
            actor,
            _subject(body),
            request_ref=body.get("request_ref", ""),
            dry_run=body.get("dry_run", True),
            keep=body.get("keep", []),
        )
        return report.to_json()

    return router

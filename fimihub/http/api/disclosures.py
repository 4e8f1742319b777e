"""REST routes for peers' disclosures: import one file (``POST /imports``), list and read disclosures, and the
overlaps of one with the caller's own operations and signals."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request

from fimihub.errors import ValidationError
from fimihub.http.api.params import ActorDep, JsonObject
from fimihub.http.state import hub_of
from fimihub.model import Disclosure

__all__ = ["disclosures_router"]

_OPTIONS = ("columns", "kind", "publisher", "title")


def _json(record: Disclosure) -> dict[str, Any]:
    return record.model_dump(mode="json")


def disclosures_router() -> APIRouter:
    router = APIRouter(tags=["disclosures"])

    @router.post(
        "/imports", summary="Import a peer's disclosure file (Meta, STIX, MISP or CSV)", status_code=201
    )
    def import_file(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        format = body.get("format")
        name = body.get("name")
        forum_id = body.get("forum_id")
        if not isinstance(format, str):
            raise ValidationError("format", "required: meta-threat-research, stix, misp or csv")
        if not isinstance(name, str):
            raise ValidationError("name", "required: the file's name")
        if forum_id is not None and not isinstance(forum_id, str):
            raise ValidationError("forum_id", "must be a forum id")
        text, encoded = body.get("content"), body.get("content_base64")
        if (text is None) == (encoded is None):
            raise ValidationError("content", "give the file as content (text) or content_base64, one of them")
        if text is not None:
            if not isinstance(text, str):
                raise ValidationError("content", "must be text")
            try:
                content = text.encode("utf-8")
            except UnicodeEncodeError:
                raise ValidationError("content", "is not text (a lone surrogate)") from None
        else:
            if not isinstance(encoded, str):
                raise ValidationError("content_base64", "must be base64 text")
            try:
                content = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise ValidationError("content_base64", "is not base64") from None
        options = {key: body[key] for key in _OPTIONS if key in body}
        columns = options.get("columns")
        if columns is not None and not (
            isinstance(columns, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in columns.items())
        ):
            raise ValidationError("columns", "must map roles to column names")
        for key in ("kind", "publisher", "title"):
            if key in options and not isinstance(options[key], str):
                raise ValidationError(key, "must be text")
        unknown = sorted(set(body) - {"format", "name", "forum_id", "content", "content_base64", *_OPTIONS})
        if unknown:
            raise ValidationError(unknown[0], "unknown field")
        summary = hub_of(request).disclosures.import_content(
            actor, format, name, content, forum_id=forum_id, options=options
        )
        if summary.failed_files:
            reason = next((s.reason for s in summary.skipped if s.line is None), "the file was not imported")
            raise ValidationError("content", reason)
        return summary.to_json()

    @router.get("/disclosures", summary="Disclosures the caller may read, newest first")
    def list_disclosures(request: Request, actor: ActorDep, limit: int = 100) -> dict[str, Any]:
        return {"items": [_json(d) for d in hub_of(request).disclosures.list(actor, limit=limit)]}

    @router.get("/disclosures/{disclosure_id}", summary="One disclosure")
    def get_disclosure(request: Request, actor: ActorDep, disclosure_id: str) -> dict[str, Any]:
        return _json(hub_of(request).disclosures.get(actor, disclosure_id))

    @router.delete(
        "/disclosures/{disclosure_id}",
        summary="Delete a disclosure and the records it brought in that nothing else rests on",
    )
    def delete_disclosure(
        request: Request, actor: ActorDep, disclosure_id: str, force: bool = False
    ) -> dict[str, Any]:
        return hub_of(request).disclosures.delete(actor, disclosure_id, force=force).to_json()

    @router.get(
        "/disclosures/{disclosure_id}/overlaps",
        summary="The caller's own operations and signals that a disclosure overlaps",
    )
    def overlaps(request: Request, actor: ActorDep, disclosure_id: str) -> dict[str, Any]:
        found = hub_of(request).disclosures.compare(actor, disclosure_id)
        return {"disclosure": disclosure_id, "overlaps": [o.to_json() for o in found]}

    return router

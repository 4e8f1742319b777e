"""REST routes for an organisation's transparency reports: the covert influence operations report and the
Code of Practice C16 report in every format, the analysts' text they carry, and frozen copies checked later.
Only the organisation's own members (with a reading role) reach its reports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from fimihub.errors import ValidationError
from fimihub.http.api.params import ActorDep, JsonObject, body_field
from fimihub.http.state import hub_of

__all__ = ["reports_router"]

_MEDIA = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "csv": "application/zip",
    "pdf": "application/pdf",
}

OrgQuery = Annotated[str, Query(description="The organisation: its id or its name.")]
PeriodQuery = Annotated[str, Query(description="2025-03 or 2025-Q1 for cio; 2025-H1 for c16.")]
FormatQuery = Annotated[str, Query(description="json, html, md, csv (a ZIP of one file per table) or pdf.")]


def reports_router() -> APIRouter:
    router = APIRouter(prefix="/reports", tags=["reports"])

    @router.get("/frozen", summary="The organisation's frozen reports")
    def frozen(request: Request, actor: ActorDep, org: OrgQuery) -> dict[str, Any]:
        items = hub_of(request).reporting.frozen(actor, org)
        return {"items": [f.to_json() for f in items]}

    @router.get("/frozen/{ref}", summary="Check a frozen report against the store")
    def verify(request: Request, actor: ActorDep, ref: str) -> dict[str, Any]:
        """Builds the report again and compares its SHA-256 with the frozen one (``same``), naming the
        inputs that went or came."""
        return hub_of(request).reporting.verify(actor, ref).to_json()

    @router.post("/c16/texts", summary="Keep a new version of an analyst's section of the C16 report")
    def write_text(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        """``{"org", "period", "section", "text"}``; the report uses the newest version of each section."""
        fields = {
            name: body_field(body, name, str, "must be a string")
            for name in ("org", "period", "section", "text")
        }
        kept = hub_of(request).reporting.write_text(
            actor, fields["org"], fields["period"], fields["section"], fields["text"]
        )
        return {"section": kept.section, "version": kept.version, "ref": kept.ref, "author": kept.author}

    @router.post("/{kind}/freeze", summary="Freeze a report: keep its fingerprint and inputs")
    def freeze(request: Request, actor: ActorDep, kind: str, body: JsonObject) -> dict[str, Any]:
        org = body_field(body, "org", str, "must be a string")
        period = body_field(body, "period", str, "must be a string")
        _, kept = hub_of(request).reporting.freeze(actor, kind, org, period)
        return kept.to_json()

    @router.get(
        "/{kind}",
        summary="An organisation's report (cio or c16) for a period",
        responses={200: {"content": {m: {} for m in _MEDIA.values()}}},
    )
    def report(
        request: Request,
        actor: ActorDep,
        kind: str,
        org: OrgQuery,
        period: PeriodQuery,
        format: FormatQuery = "json",
    ) -> Response:
        from fimihub.reporting.render import render

        if format not in _MEDIA:
            raise ValidationError("format", f"{format!r}: one of {', '.join(_MEDIA)}")
        built = hub_of(request).reporting.report(actor, kind, org, period)
        headers = {}
        if format in ("csv", "pdf"):
            name = f"{kind}-{built.data['period']['label']}.{'zip' if format == 'csv' else 'pdf'}"
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(render(built, format), media_type=_MEDIA[format], headers=headers)

    return router

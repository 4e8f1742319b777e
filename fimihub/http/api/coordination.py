"""REST routes for coordination and resurgence: co-action networks of posted rows, fingerprints, and scans.

Rows are posted as JSON objects (an object table or platform export rows, DESIGN.md); the body limit of the
API bounds how many go in one request. Bigger data goes through the CLI, which reads files.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
from fastapi import APIRouter, Request

from fimihub.errors import ValidationError
from fimihub.http.api.params import ActorDep, JsonObject
from fimihub.http.state import hub_of

__all__ = ["coordination_router"]


def coordination_router() -> APIRouter:
    router = APIRouter(tags=["coordination"])

    @router.post("/coordination/detect", summary="The co-action network of posted rows, with communities")
    def detect(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        options = _options(
            body, {"window_s": int, "min_weight": int, "min_weight_percentile": float, "min_symmetry": float}
        )
        method = body.get("method", "leiden")
        mode = body.get("mode", "objects")
        if mode not in ("objects", "actions"):
            raise ValidationError(
                "mode",
                "must be objects (distinct objects co-acted on) or actions (matched actions, directed, as the"
                " QUT coordination-network-toolkit counts them)",
            )
        kinds = body.get("kinds")
        if kinds is not None and not (isinstance(kinds, list) and all(isinstance(k, str) for k in kinds)):
            raise ValidationError("kinds", "must be a list of object kinds")
        report = hub_of(request).coordination.detect(
            actor, rows_table(body.get("rows")), method=str(method), mode=mode, kinds=kinds, **options
        )
        return {
            "rows": report.rows,
            "actions": report.actions,
            "dropped": report.dropped,
            "edges": report.edges.to_pylist(),
            "communities": [
                {
                    "id": c.id,
                    "accounts": list(c.accounts),
                    "edges": c.edges,
                    "weight": c.weight,
                    "density": c.density,
                    "score": c.score,
                    "first_time": c.first_time,
                    "last_time": c.last_time,
                    "evidence": c.evidence.to_pylist() if c.evidence is not None else [],
                }
                for c in report.communities
            ],
            "capped_objects": report.capped.to_pylist(),
        }

    @router.post(
        "/operations/{operation_id}/fingerprint",
        summary="Fingerprint a disrupted operation from its assets and signals",
        status_code=201,
    )
    def fingerprint(request: Request, actor: ActorDep, operation_id: str, body: JsonObject) -> dict[str, Any]:
        forum_id = body.get("forum_id")
        if forum_id is not None and not isinstance(forum_id, str):
            raise ValidationError("forum_id", "must be a forum id")
        record = hub_of(request).resurgence.fingerprint_operation(actor, operation_id, forum_id=forum_id)
        return record.model_dump(mode="json")

    @router.post(
        "/resurgence/scan", summary="Score posted accounts against disrupted operations' fingerprints"
    )
    def resurgence(request: Request, actor: ActorDep, body: JsonObject) -> dict[str, Any]:
        confirm = body.get("confirm", True)
        if not isinstance(confirm, bool):
            raise ValidationError("confirm", "must be true or false")
        summary = hub_of(request).resurgence.scan(actor, rows_table(body.get("rows")), confirm=confirm)
        candidates = summary.candidates.to_pylist()
        for row in candidates:
            row["evidence"] = json.loads(row["evidence"])
        return {
            "rows": summary.rows,
            "accounts": summary.accounts,
            "fingerprints": summary.fingerprints,
            "flagged": summary.flagged,
            "queued": summary.queued,
            "skipped": summary.skipped,
            "candidates": candidates,
        }

    return router


def rows_table(rows: Any) -> pa.Table:
    """Posted rows as a table of text columns; names the first row that is not an object."""
    if not isinstance(rows, list) or not rows:
        raise ValidationError("rows", "must be a non-empty list of objects")
    columns: dict[str, list[str | None]] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ValidationError(f"rows.{i}", "must be an object")
        for name in row:
            columns.setdefault(str(name), [None] * i)
        for name, values in columns.items():
            value = row.get(name)
            if value is not None and not isinstance(value, str | int | float):
                raise ValidationError(f"rows.{i}.{name}", "must be a string or a number")
            values.append(None if value is None else str(value))
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})


def _options(body: dict[str, Any], types: dict[str, type]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, kind in types.items():
        value = body.get(name)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (kind is int and value != int(value))
        ):
            raise ValidationError(name, f"must be {'a whole number' if kind is int else 'a number'}")
        found[name] = kind(value)
    return found

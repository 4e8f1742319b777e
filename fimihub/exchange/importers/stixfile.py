"""A STIX 2.1 bundle file, read with the hub's own STIX mapping (:func:`fimihub.exchange.stix.from_stix`): its
campaigns become operations and its indicators signals, taken over by the importing organisation; every
other object is reported with its type."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fimihub.errors import ValidationError
from fimihub.exchange.importers.found import Found, FoundIndicator, file_bytes
from fimihub.exchange.importers.prose import date_in
from fimihub.exchange.stix import from_stix
from fimihub.model import Operation, Signal

__all__ = ["FORMAT", "read_stix_bundle"]

FORMAT = "stix"
_IMPORTER = "organisation--importer"


def read_stix_bundle(path: Path) -> Found:
    """The operations and signals of the bundle in ``path``; a file that is no STIX is refused."""
    raw = file_bytes(path, "file")
    if not raw.strip():
        raise ValidationError("file", f"{path} is empty: expected a STIX 2.1 bundle (JSON)")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError(
            "file", f"{path} is not UTF-8 text: expected a STIX 2.1 bundle (JSON)"
        ) from None
    except ValueError as exc:
        raise ValidationError("file", f"{path} is not JSON ({exc}): expected a STIX 2.1 bundle") from None
    try:
        read = from_stix(data, default_owner=_IMPORTER)
    except ValidationError as exc:
        raise ValidationError("file", f"{path}: {exc.field}: {exc.errors[0][1]}") from None
    objects = data.get("objects", []) if isinstance(data, Mapping) else data
    found = Found(
        file=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        format=FORMAT,
        publisher=_publisher(objects) or "unknown",
        title=_title(objects) or path.stem[:200] or path.name,
    )
    found.published_at = date_in(*(str(o.get("published") or "") for o in _typed(objects, "report")))
    for record in read.records:
        if isinstance(record, Operation):
            found.records.append(record)
        elif isinstance(record, Signal):
            found.indicators.append(
                FoundIndicator(record.kind, record.value, None, record.platform, record.description)
            )
            found.records.append(record)
        else:
            found.skip(
                None,
                f"a {type(record).__name__.lower()} ({record.id}): imports bring in operations and signals",
            )
    unknown = Counter(str(o.get("type")) for o in read.unknown if o.get("type") not in _QUIET)
    for stix_type, count in sorted(unknown.items()):
        found.skip(None, f"{count} object(s) of type {stix_type!r}: no operation or signal in them")
    return found


# Objects that describe a bundle rather than hold indicators: not reported as skipped.
_QUIET = frozenset({"identity", "marking-definition", "extension-definition", "report", "relationship"})


def _typed(objects: Any, stix_type: str) -> list[Mapping[str, Any]]:
    if not isinstance(objects, list):
        return []
    return [o for o in objects if isinstance(o, Mapping) and o.get("type") == stix_type]


def _title(objects: Any) -> str:
    for report in _typed(objects, "report") + _typed(objects, "grouping") + _typed(objects, "campaign"):
        name = str(report.get("name") or "").strip()
        if name:
            return name[:200]
    return ""


def _publisher(objects: Any) -> str:
    identities = {str(o.get("id")): o for o in _typed(objects, "identity")}
    for report in _typed(objects, "report") + _typed(objects, "campaign") + _typed(objects, "indicator"):
        identity = identities.get(str(report.get("created_by_ref")))
        if identity is not None and str(identity.get("name") or "").strip():
            return str(identity["name"]).strip()[:200]
    return ""

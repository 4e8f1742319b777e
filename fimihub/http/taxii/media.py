"""Media types: TAXII 2.1 speaks ``application/taxii+json;version=2.1`` and nothing else.

A request's ``Accept`` header must admit that type, otherwise the answer is 406: a bare
``application/taxii+json`` means the newest version, which is 2.1, and ``*/*`` and ``application/*`` admit it
too. A body sent to the server must be declared as that type, otherwise the answer is 415. Every answer,
errors included, carries exactly ``application/taxii+json;version=2.1``.
"""

from __future__ import annotations

from fimihub.exchange.media import TAXII_MEDIA_TYPE
from fimihub.http.taxii.errors import TaxiiRefusal

__all__ = ["check_accept", "check_content_type"]

_TAXII = "application/taxii+json"


def check_accept(header: str | None) -> None:
    """Refuse with 406 unless ``header`` admits TAXII 2.1. An absent header admits anything (HTTP's rule)."""
    if header is None or not header.strip():
        return
    for media_range in header.split(","):
        kind, params = _parse(media_range)
        if params.get("q", "1") in {"0", "0.0", "0.00", "0.000"}:
            continue
        if kind in {"*/*", "application/*"}:
            return
        if kind == _TAXII and params.get("version", "2.1") == "2.1":
            return
    raise TaxiiRefusal(
        406, f"this server answers only with {TAXII_MEDIA_TYPE}; the Accept header was {header!r}"
    )


def check_content_type(header: str | None) -> None:
    """Refuse with 415 unless the body is declared as TAXII 2.1."""
    kind, params = _parse(header or "")
    if kind != _TAXII or params.get("version", "2.1") != "2.1":
        raise TaxiiRefusal(
            415, f"send envelopes as {TAXII_MEDIA_TYPE}; the Content-Type was {header or '(none)'!r}"
        )


def _parse(media_range: str) -> tuple[str, dict[str, str]]:
    kind, *parts = media_range.split(";")
    params: dict[str, str] = {}
    for part in parts:
        name, _, value = part.partition("=")
        params[name.strip().lower()] = value.strip().strip('"')
    return kind.strip().lower(), params

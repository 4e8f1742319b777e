"""Hypothesis strategies for the records members share, built on the storage samples' factories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from fimihub.model import (
    PAP,
    TLP,
    Action,
    ActionKind,
    Asset,
    AssetKind,
    DetectionSource,
    Feedback,
    FeedbackKind,
    Fingerprint,
    Governed,
    LeadSource,
    Marking,
    Operation,
    OperationStatus,
    OperatorType,
    Signal,
    SignalKind,
)
from fimihub.vocab import EEA
from fimihub.vocab.disarm import technique_ids
from tests.storage import samples

__all__ = ["actions", "any_record", "assets", "feedback", "fingerprints", "operations", "records", "signals"]

# Text as peers write it: any script, no lone surrogates (JSON cannot carry them).
_CHARS = st.characters(codec="utf-8", exclude_categories=["Cs"])
text = st.text(_CHARS, max_size=40)
names = st.text(_CHARS, min_size=1, max_size=40).map(str.strip).filter(bool)
plain = st.text("abcdefghijklmnopqrstuvwxyz0123456789_.-'\\ ", min_size=1, max_size=20).filter(str.strip)
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC))
countries = st.sampled_from(("RU", "CN", "IR", "DE", "FR", "GR", "US", "BR", "NO"))
platforms = st.sampled_from(("x", "facebook", "telegram", "tiktok", "vk", "web", "my-forum.example"))
hex64 = st.text("0123456789abcdef", min_size=64, max_size=64)
hex32 = st.text("0123456789abcdef", min_size=32, max_size=32)


def record_ids(prefix: str) -> st.SearchStrategy[str]:
    """Ids as the hub makes them (``<prefix>--<uuid4>``) and as tests and imports may (anything)."""
    return st.uuids(version=4).map(lambda u: f"{prefix}--{u}") | st.from_regex(
        r"\A[a-z]{1,8}--[a-z0-9]{1,6}\Z"
    )


@st.composite
def markings(draw: st.DrawFn) -> Marking:
    tlp = draw(st.sampled_from(tuple(TLP)))
    members = draw(st.lists(plain, max_size=2, unique=True)) if tlp == TLP.RED else []
    orgs = draw(st.lists(plain, max_size=2, unique=True))
    return Marking(
        tlp=tlp, pap=draw(st.sampled_from(tuple(PAP))), recipient_orgs=orgs, recipient_members=members
    )


@st.composite
def governance(draw: st.DrawFn) -> dict[str, Any]:
    created = draw(times)
    return {
        "owner_org": draw(st.sampled_from(("organisation--a", "organisation--b", "org b"))),
        "forum_id": draw(st.none() | st.just("forum--f")),
        "marking": draw(markings()),
        "purpose": draw(st.sampled_from(("cio-exchange", "", "research"))),
        "created_by": draw(st.none() | st.just("member--a1")),
        "created_at": created,
        "modified_at": created + draw(st.timedeltas(timedelta(0), timedelta(days=900))),
        "expires_at": draw(st.none() | times),
    }


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def operations(draw: st.DrawFn) -> Operation:
    rid = draw(record_ids("operation"))
    first = draw(_optional(times))
    last = None if first is None else first + draw(st.timedeltas(timedelta(0), timedelta(days=3000)))
    attribution = draw(st.just("") | names)
    external = draw(st.booleans())
    currency = draw(_optional(st.sampled_from(("EUR", "USD", "RUB"))))
    fields = {
        "name": draw(names),
        "aliases": draw(st.lists(names, max_size=3)),
        "description": draw(text),
        "status": draw(st.sampled_from(tuple(OperationStatus))),
        "origin_countries": draw(st.lists(countries, max_size=3)),
        "target_countries": draw(st.lists(countries, max_size=3)),
        "target_audience": draw(text),
        "operator_type": draw(st.sampled_from(tuple(OperatorType))),
        "attribution": attribution,
        "attribution_confidence": draw(st.integers(0, 100)) if attribution else 0,
        "detection_source": DetectionSource.EXTERNAL if external else DetectionSource.INTERNAL,
        "detection_partner": draw(names) if external else None,
        "narratives": draw(st.lists(text, max_size=3)),
        "techniques": draw(st.lists(st.sampled_from(technique_ids()), max_size=3, unique=True)),
        "first_seen": first,
        "last_seen": last,
        "continues": draw(st.lists(record_ids("operation"), max_size=2).filter(lambda c: rid not in c)),
        "ad_spend": draw(_optional(st.floats(0, 1e9, allow_nan=False, allow_infinity=False))),
        "ad_spend_currency": currency,
        **draw(governance()),
    }
    return samples.operation(rid, **fields)


@st.composite
def assets(draw: st.DrawFn) -> Asset:
    handle = draw(_optional(st.sampled_from(("@fake_news", "example.org", "sub.example.co.uk")) | plain))
    external_id = draw(_optional(st.sampled_from(("100012345", "UCabc")) | plain))
    known_urls = ("https://example.org/", "https://x.com/a?b=c#d", "http://bücher.de/ä b")
    url = draw(_optional(st.sampled_from(known_urls)
                         | text))  # fmt: skip
    if not (handle or external_id or url):
        handle = "@someone"
    created = draw(_optional(times))
    removed = None if created is None else draw(_optional(st.just(created + timedelta(days=3))))
    fields = {
        "operation_id": draw(_optional(record_ids("operation"))),
        "platform": draw(platforms),
        "kind": draw(st.sampled_from(tuple(AssetKind))),
        "external_id": external_id,
        "handle": handle,
        "display_name": draw(_optional(names)),
        "url": url,
        "followers": draw(_optional(st.integers(0, 10**9))),
        "account_created_at": created,
        "removed_at": removed,
        "ad_spend": draw(_optional(st.floats(0, 1e6, allow_nan=False))),
        "ad_spend_currency": draw(_optional(st.just("EUR"))),
        "recidivist": draw(st.booleans()),
        **draw(governance()),
    }
    return samples.asset(draw(record_ids("asset")), **fields)


_VALUES: dict[SignalKind, st.SearchStrategy[str]] = {
    SignalKind.PDQ: hex64,
    SignalKind.SHA256: hex64,
    SignalKind.MD5: hex32,
    SignalKind.ACCOUNT_ID: hex64,
    SignalKind.EMAIL: hex64,
    SignalKind.PHONE: hex64,
    SignalKind.HANDLE: st.builds("{}:{}".format, platforms, plain) | plain,
    SignalKind.URL: st.sampled_from(("https://example.org/a'b", "http://a.b/c\\d")) | names,
}


@st.composite
def signals(draw: st.DrawFn) -> Signal:
    kind = draw(st.sampled_from(tuple(SignalKind)))
    fields = {
        "kind": kind,
        "value": draw(_VALUES.get(kind, names)),
        "confidence": draw(st.integers(0, 100)),
        "operation_id": draw(_optional(record_ids("operation"))),
        "platform": draw(_optional(platforms)),
        "quality": draw(_optional(st.integers(0, 100))),
        "description": draw(text),
        "revoked": draw(st.booleans()),
        "warning_lists": draw(st.lists(plain, max_size=2)),
        **draw(governance()),
    }
    return samples.signal(draw(record_ids("signal")), **fields)


@st.composite
def actions(draw: st.DrawFn) -> Action:
    fields = {
        "kind": draw(st.sampled_from(tuple(ActionKind))),
        "operation_id": draw(_optional(record_ids("operation"))),
        "asset_ids": draw(st.lists(record_ids("asset"), max_size=3)),
        "asset_count": draw(st.integers(0, 2 * 10**9)),
        "platform": draw(_optional(platforms)),
        "lead_source": draw(st.sampled_from(tuple(LeadSource))),
        "lead_ref": draw(_optional(record_ids("signal") | plain)),
        "member_states": draw(st.lists(st.sampled_from(sorted(EEA)), max_size=4)),
        "taken_at": draw(times),
        "note": draw(text),
        **draw(governance()),
    }
    return samples.action(draw(record_ids("action")), **fields)


@st.composite
def feedback(draw: st.DrawFn) -> Feedback:
    fields = {
        "subject_id": draw(record_ids("signal") | record_ids("operation") | record_ids("share") | plain),
        "kind": draw(st.sampled_from(tuple(FeedbackKind))),
        "comment": draw(text),
        "at": draw(times),
        **draw(governance()),
    }
    return samples.feedback(draw(record_ids("feedback")), **fields)


@st.composite
def fingerprints(draw: st.DrawFn) -> Fingerprint:
    features = {
        "format": "fimihub-fingerprint",
        "version": 1,
        "domains": draw(st.lists(st.from_regex(r"[a-z]{1,12}\.example", fullmatch=True), max_size=4)),
        "rhythm": draw(st.lists(st.floats(0, 1, allow_nan=False), max_size=4)),
    }
    fields = {
        "operation_id": draw(record_ids("operation")),
        "features": features,
        "accounts": draw(st.integers(0, 10**6)),
        "source": draw(st.sampled_from(["store", "export:removed.parquet"])),
        **draw(governance()),
    }
    return samples.fingerprint(draw(record_ids("fingerprint")), **fields)


any_record: st.SearchStrategy[Governed] = st.one_of(
    operations(), assets(), signals(), actions(), feedback(), fingerprints()
)


def records(max_size: int = 6) -> st.SearchStrategy[list[Governed]]:
    """Several records of any type, ids unique."""
    return st.lists(any_record, min_size=1, max_size=max_size, unique_by=lambda r: r.id)

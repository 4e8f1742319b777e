"""One batch of a platform export against the matcher: the look-ups both scan engines share.

Work is done per *distinct* value: URLs, hashtags and image hashes are split out of their space-separated
columns, each distinct value is normalised and looked up once, and only the values that hit are mapped back
to their rows. Values that do not parse (junk URLs, bad hashes) are counted per column and skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.matching.kinds import CANONICAL_PATTERNS
from fimihub.matching.kinds.handle import PROFILE_DOMAINS
from fimihub.matching.kinds.url import host_domain
from fimihub.matching.matcher import Matcher, MatchHit
from fimihub.matching.scan_report import WHERE_COLUMNS, ScanReport, Where
from fimihub.model import Signal, SignalKind
from fimihub.vocab import platform as platform_slug

__all__ = ["scan_batch"]

_LIST_COLUMNS = {"urls": SignalKind.URL, "hashtags": SignalKind.HASHTAG, "image_pdq": SignalKind.PDQ}
_PROFILE_DOMAINS = pa.array(sorted(PROFILE_DOMAINS), pa.string())


def scan_batch(
    batch: pa.RecordBatch,
    report: ScanReport,
    matcher: Matcher,
    kinds: frozenset[SignalKind],
    allowed: Callable[[Signal], bool],
    now: datetime | None,
    account_hashers: Sequence[Callable[[str], str]] = (),
) -> None:
    """Add the hits of one batch of export rows to ``report`` (rows numbered from ``report.rows``)."""
    columns = {name: batch.column(name) for name in batch.schema.names}
    base = report.rows

    def emit(rows: pa.Array, hits_by_value: dict[str, list[MatchHit]], values: pa.Array) -> None:
        # Column-wise: each hitting row is repeated once per answer its value has, with no Python loop.
        keys = list(hits_by_value)
        per_key = np.array([len(hits_by_value[k]) for k in keys], dtype=np.int64)
        first = np.concatenate(([0], np.cumsum(per_key)[:-1])).astype(np.int64)
        key_of = np.asarray(pc.index_in(values, value_set=pa.array(keys, pa.string())), dtype=np.int64)
        repeats = per_key[key_of]
        positions = np.repeat(np.arange(len(key_of), dtype=np.int64), repeats)
        offsets = np.arange(len(positions), dtype=np.int64) - np.repeat(np.cumsum(repeats) - repeats, repeats)
        refs = first[key_of][positions] + offsets
        hit_rows = np.asarray(rows, dtype=np.int64)[positions]
        where: Where | None = None
        if report.keeps_where:
            taken = pa.array(hit_rows, pa.int64())
            found = [_taken_array(columns, name, taken) for name in WHERE_COLUMNS]
            where = (found[0], found[1], found[2])
        answers = [hit for k in keys for hit in hits_by_value[k]]
        report.add_many(hit_rows + base, where, answers, refs)

    if account_hashers and SignalKind.ACCOUNT_ID in kinds:
        _lookup_accounts(columns, account_hashers, matcher, allowed, now, emit)
    if "handle" in columns and SignalKind.HANDLE in kinds:
        handles = pc.binary_join_element_wise(columns["platform"], columns["handle"], ":")
        _lookup_column(handles, SignalKind.HANDLE, "handle", matcher, allowed, now, report, emit)
    for column, kind in _LIST_COLUMNS.items():
        if column in columns and _wanted(kind, kinds, matcher):
            _lookup_column(columns[column], kind, column, matcher, allowed, now, report, emit, split=True)
    if "text" in columns and kinds & {SignalKind.TEXT, SignalKind.PHRASE}:
        text = columns["text"]
        _lookup_column(text, SignalKind.TEXT, "text", matcher, allowed, now, report, emit)


def _wanted(kind: SignalKind, kinds: frozenset[SignalKind], matcher: Matcher) -> bool:
    # URLs also stand for their domain and profile handle, so they are scanned when any of those has signals.
    if kind is SignalKind.URL:
        return bool(kinds & {SignalKind.URL, SignalKind.DOMAIN, SignalKind.HANDLE})
    return kind in kinds


def _lookup_column(
    column: Any,
    kind: SignalKind,
    name: str,
    matcher: Matcher,
    allowed: Callable[[Signal], bool],
    now: datetime | None,
    report: ScanReport,
    emit: Callable[[Any, dict[str, list[MatchHit]], Any], None],
    *,
    split: bool = False,
) -> None:
    column = pc.fill_null(column, "")
    if split:
        lists = pc.split_pattern(column, " ")
        values = pc.list_flatten(lists)
        rows = pc.list_parent_indices(lists)
    else:
        values = column
        rows = pa.array(range(len(column)), pa.int64())
    keep = pc.not_equal(values, "")
    values, rows = pc.filter(values, keep), pc.filter(rows, keep)
    # Normalise each distinct value once, then look every implied (kind, value) up in one batch per kind.
    wanted: dict[SignalKind, dict[str, list[str]]] = {}
    distinct = pc.unique(values)
    if kind is SignalKind.TEXT:
        _sign_texts(distinct.to_pylist(), matcher, wanted)
        _resolve(wanted, values, rows, matcher, allowed, now, emit)
        return
    bulk = kind is SignalKind.URL or not matcher.has_expander(kind)
    canonical = _canonical_mask(distinct, kind) if bulk else pa.repeat(False, len(distinct))
    if kind is SignalKind.URL:
        _expand_canonical_urls(pc.filter(distinct, canonical), matcher, wanted)
    else:
        # Canonical values of a kind that stands for nothing else are looked up as they are; with an exact
        # index, only those it holds are handed over at all.
        ready = pc.filter(distinct, canonical)
        indexed = matcher.value_set(kind)
        if indexed is not None:
            ready = pc.filter(ready, pc.is_in(ready, value_set=indexed))
        wanted.setdefault(kind, {}).update((raw, [raw]) for raw in ready.to_pylist())
    for raw in pc.filter(distinct, pc.invert(canonical)).to_pylist():
        try:
            pairs = matcher.lookups(kind, raw)
        except ValueError:
            report.bad_values[name] += 1
            continue
        for via, value in pairs:
            wanted.setdefault(via, {}).setdefault(value, []).append(raw)
    _resolve(wanted, values, rows, matcher, allowed, now, emit)


def _resolve(
    wanted: dict[SignalKind, dict[str, list[str]]],
    values: pa.Array,
    rows: pa.Array,
    matcher: Matcher,
    allowed: Callable[[Signal], bool],
    now: datetime | None,
    emit: Callable[[Any, dict[str, list[MatchHit]], Any], None],
) -> None:
    """Look every wanted (kind, value) up in one batch per kind, and emit the rows whose raw value hit."""
    hits_by_value: dict[str, list[MatchHit]] = {}
    for via, raws_of in wanted.items():
        for value, hits in matcher.hits(via, list(raws_of), now=now).items():
            visible_hits = [h for h in hits if allowed(h.signal)]
            for raw in raws_of[value] if visible_hits else ():
                hits_by_value.setdefault(raw, []).extend(visible_hits)
    if hits_by_value:
        mask = pc.is_in(values, value_set=pa.array(list(hits_by_value), pa.string()))
        emit(pc.filter(rows, mask), hits_by_value, pc.filter(values, mask))


def _lookup_accounts(
    columns: dict[str, Any],
    hashers: Sequence[Callable[[str], str]],
    matcher: Matcher,
    allowed: Callable[[Signal], bool],
    now: datetime | None,
    emit: Callable[[Any, dict[str, list[MatchHit]], Any], None],
) -> None:
    """Account ids, hashed with every forum key the member holds, against ``account_id`` signals."""
    values = pc.binary_join_element_wise(
        pc.fill_null(columns["platform"], ""), pc.fill_null(columns["account_id"], ""), ":"
    )
    rows = pa.array(range(len(values)), pa.int64())
    wanted: dict[str, list[str]] = {}
    for raw in pc.unique(values).to_pylist():
        name, _, account = raw.partition(":")
        try:
            canonical = f"{platform_slug(name)}:{account.strip()}"
        except ValueError:
            continue  # not a platform name: counted nowhere else either, the row has no usable account
        if account.strip():
            for hasher in hashers:
                wanted.setdefault(hasher(canonical), []).append(raw)
    _resolve({SignalKind.ACCOUNT_ID: wanted}, values, rows, matcher, allowed, now, emit)


def _expand_canonical_urls(
    urls: pa.Array, matcher: Matcher, wanted: dict[SignalKind, dict[str, list[str]]]
) -> None:
    """What :func:`~fimihub.matching.kinds.expand_url` does, for many canonical URLs at once: hosts are cut
    out in Arrow and each distinct host's domain is worked out once; then only the URLs whose URL or domain
    an index holds, or that are profile pages, are handed over (profile URLs are expanded one by one)."""
    if not len(urls):
        return
    hosts = pc.extract_regex(urls, r"^https?://(?P<host>[^/]+)/").field("host")
    distinct_hosts = pc.unique(hosts)
    domains_of_hosts = pa.array([host_domain(h) for h in distinct_hosts.to_pylist()], pa.string())
    domains = pc.take(domains_of_hosts, pc.index_in(hosts, value_set=distinct_hosts))
    keep = pc.is_in(domains, value_set=_PROFILE_DOMAINS)
    for kind, column in ((SignalKind.URL, urls), (SignalKind.DOMAIN, domains)):
        indexed = matcher.value_set(kind)
        keep = pc.or_(
            keep, pc.is_in(column, value_set=indexed) if indexed is not None else pa.repeat(True, len(urls))
        )
    by_url, by_domain = wanted.setdefault(SignalKind.URL, {}), wanted.setdefault(SignalKind.DOMAIN, {})
    for url, domain in zip(
        pc.filter(urls, keep).to_pylist(), pc.filter(domains, keep).to_pylist(), strict=True
    ):
        by_url.setdefault(url, []).append(url)
        by_domain.setdefault(domain, []).append(url)
        if domain in PROFILE_DOMAINS:
            for via, value in matcher.expand(SignalKind.URL, url):
                if via is SignalKind.HANDLE:
                    wanted.setdefault(via, {}).setdefault(value, []).append(url)


def _sign_texts(texts: list[str], matcher: Matcher, wanted: dict[SignalKind, dict[str, list[str]]]) -> None:
    """Texts are signed in one vectorised pass for near-duplicate signals, and searched as they are for
    phrases; a text too short to sign can still hold a phrase."""
    kinds = matcher.kinds
    if SignalKind.TEXT in kinds:
        for raw, signature in zip(texts, matcher.normalise_many(SignalKind.TEXT, texts), strict=True):
            if signature is not None:
                wanted.setdefault(SignalKind.TEXT, {}).setdefault(signature, []).append(raw)
    if SignalKind.PHRASE in kinds:
        by_phrase = wanted.setdefault(SignalKind.PHRASE, {})
        for raw in texts:
            by_phrase.setdefault(raw, []).append(raw)


def _canonical_mask(values: pa.Array, kind: SignalKind) -> pa.Array:
    """Which values :data:`CANONICAL_PATTERNS` shows to be canonical already (no need to normalise them)."""
    pattern = CANONICAL_PATTERNS.get(kind)
    if pattern is None or not len(values):
        return pa.repeat(False, len(values))
    include, exclude = pattern
    mask = pc.match_substring_regex(values, include)
    if exclude is not None:
        mask = pc.and_(mask, pc.invert(pc.match_substring_regex(values, exclude)))
    return pc.fill_null(mask, False)


def _taken_array(columns: dict[str, Any], name: str, rows: pa.Array) -> pa.Array:
    column = columns.get(name)
    if column is None:
        return pa.nulls(len(rows), pa.string())
    return pc.take(column, rows)

"""Fingerprints drawn from a labelled platform export: the removed accounts' posts, each with its operation.

Each operation's accounts, posts, platforms and posting rhythm are counted from its rows; its domains, URLs,
hashtags, images and texts are the values enough of its accounts shared
(:mod:`.support`); its handle patterns are those of all its accounts'
handles, keyed. Rows without an operation label or an account are not used.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination.columns import dictionary_codes, string_column
from fimihub.coordination.features import (
    check_key,
    export_view,
    handle_pairs,
    hashtag_occurrences,
    keyed_group_patterns,
    pattern_key_id,
    pdq_occurrences,
    platform_name,
    text_occurrences,
    url_occurrences,
)
from fimihub.coordination.fingerprint.model import OperationFingerprint, PostingRhythm
from fimihub.coordination.fingerprint.support import (
    Exclude,
    FingerprintConfig,
    exact_support,
    pdq_support,
    text_support,
)
from fimihub.coordination.times import histograms

__all__ = ["FingerprintBuild", "build_fingerprints_from_export"]

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class FingerprintBuild:
    """Fingerprints built from an export, one per operation label, and what was skipped per column."""

    fingerprints: tuple[OperationFingerprint, ...]
    rows: int
    skipped: dict[str, int] = field(default_factory=dict)


def build_fingerprints_from_export(
    table: pa.Table,
    *,
    key: bytes,
    config: FingerprintConfig | None = None,
    exclude: Exclude | None = None,
) -> FingerprintBuild:
    """One fingerprint per operation of a labelled platform export (the removed accounts' posts).

    ``table`` has the platform export columns and ``operation``; ``platform``, ``account_id`` and
    ``operation`` are required (``ValidationError`` names each one missing), the others are used when
    present. Rows without an operation label are not used (counted in ``skipped["operation"]``). ``key``
    keys the handle patterns (at least 16 bytes: the forum's pseudonymisation key). ``exclude`` may veto
    domains, URLs and hashtags too common to mean anything (a warning-list check).
    """
    config = config or FingerprintConfig()
    key = check_key(key)
    skipped: Counter[str] = Counter()
    view = export_view(table, skipped, required=("platform", "account_id", "operation"))
    encoded = string_column(table, "operation", trim=True).dictionary_encode()
    names = [str(n) for n in encoded.dictionary.to_pylist()]
    op = dictionary_codes(encoded)
    unlabelled = np.array([n == "" for n in names], dtype=bool)[op]
    skipped["operation"] += int((unlabelled & (view.account >= 0)).sum())
    op = np.where(unlabelled | (view.account < 0), -1, op)
    if "post_id" in table.column_names:
        has_post = pc.not_equal(string_column(table, "post_id"), "")
        posting = np.asarray(has_post.to_numpy(zero_copy_only=False), dtype=bool)
    else:
        posting = np.ones(table.num_rows, dtype=bool)

    n_ops = len(names)
    kept: dict[str, list[list[str]]] = {}
    columns = view.columns
    if "urls" in columns:
        urls, domains = url_occurrences(columns["urls"], skipped)
        kept["url"] = exact_support(urls, op, view.account, n_ops, config, "url", exclude)
        kept["domain"] = exact_support(domains, op, view.account, n_ops, config, "domain", exclude)
    if "hashtags" in columns:
        tags = hashtag_occurrences(columns["hashtags"], skipped)
        kept["hashtag"] = exact_support(tags, op, view.account, n_ops, config, "hashtag", exclude)
    if "image_pdq" in columns:
        found, hashes = pdq_occurrences(columns["image_pdq"], skipped)
        kept["pdq"] = pdq_support(found, hashes, op, view.account, n_ops, config)
    if "text" in columns:
        kept["text"] = text_support(text_occurrences(columns["text"]), op, view.account, n_ops, config)
    patterns = _op_patterns(columns.get("handle"), op, n_ops, key)

    def values(kind: str, o: int) -> tuple[str, ...]:
        return tuple(kept[kind][o]) if kind in kept else ()

    fingerprints = []
    for o, name in enumerate(names):
        rows = np.flatnonzero(op == o)
        if name == "" or not len(rows):
            continue
        accounts = np.unique(view.account[rows])
        timed = rows[view.has_time[rows] & posting[rows]]
        hours, days = histograms(np.zeros(len(timed), np.int64), view.times[timed], 1)
        platforms = {platform_name(view.platforms[a]) for a in accounts.tolist()}
        fingerprints.append(
            OperationFingerprint(
                operation=name,
                accounts=len(accounts),
                posts=int(posting[rows].sum()),
                platforms=tuple(platforms),
                domains=values("domain", o),
                urls=values("url", o),
                hashtags=values("hashtag", o),
                pdq=values("pdq", o),
                text_signatures=values("text", o),
                handle_patterns=tuple(patterns[o]),
                pattern_key_id=pattern_key_id(key) if patterns[o] else None,
                rhythm=PostingRhythm.from_counts(hours[0].tolist(), days[0].tolist()),
            )
        )
    fingerprints.sort(key=lambda f: f.operation)
    return FingerprintBuild(tuple(fingerprints), table.num_rows, dict(skipped))


def _op_patterns(column: pa.Array | None, op: I64, n_ops: int, key: bytes) -> list[list[str]]:
    """Keyed handle patterns of each operation's accounts."""
    labelled = np.flatnonzero(op >= 0)
    if column is None or not len(labelled):
        return [[] for _ in range(n_ops)]
    by_op = keyed_group_patterns(*handle_pairs(column, labelled, op), key)
    return [sorted(by_op.get(o, ())) for o in range(n_ops)]

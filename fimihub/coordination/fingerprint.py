"""Operation fingerprints: what a disrupted influence operation leaves behind that its next accounts reuse.

When a platform removes an operation's accounts, the operators usually come back: new accounts, often on
another platform, under handles close to the removed ones, linking to the same outlets (or look-alikes of
them), carrying the same hashtags, and posting lightly edited copies of the same texts and images, on the same
working hours. A fingerprint collects those traits of one operation so that new accounts can be scored
against it (:mod:`fimihub.coordination.resurgence`), and so that a forum can share it with its members.

What a fingerprint holds, and why none of it is personal data in clear:

- ``domains``, ``urls``, ``hashtags``: the operation's outlets, articles and tags. They describe the
  operation's infrastructure and messaging, not a person. Links to the platforms' own sites (profile and post
  URLs, which would name accounts) are never taken in.
- ``pdq``: perceptual hashes (256-bit, hex) of the images it posted; an image cannot be rebuilt from one.
- ``text_signatures``: ``mh1`` MinHash signatures of its texts (see :mod:`fimihub.matching.minhash`);
  no text is kept, and a signature only tells a holder of a candidate text whether it is a near-duplicate.
- ``handle_patterns``: HMAC-SHA256 digests, under a key the caller passes (the forum's pseudonymisation
  key), of *patterns* of the removed accounts' handles: the handle folded and generalised so that renames
  such as ``name_1234`` -> ``name_1235`` or look-alike letters keep the pattern (see
  :func:`fimihub.coordination._features.handle_patterns`). Without the key a digest can be neither read nor
  tested; ``pattern_key_id`` names the key (a hash of it, not the key).
- ``rhythm``: the share of posts per hour of day (UTC) and per weekday, over all accounts together.
- ``platforms``, ``accounts``, ``posts``: where it was active, and how many accounts and posts it had.

No account id, handle, display name or post text is ever stored. Values that only one account used are left
out (:attr:`FingerprintConfig.min_accounts`): an operation's traits are what several of its accounts share,
while what one account posted alone (cover chatter, a personal photo) says nothing about the operation and
is the most likely to be about a person.

Fingerprints are immutable values with a versioned JSON form (``"format": "fimihub-fingerprint"``,
``"version": 1``); :meth:`OperationFingerprint.from_dict` checks every field and names the bad one.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination._features import (
    Occurrences,
    check_key,
    export_view,
    handle_patterns,
    hashtag_occurrences,
    histograms,
    keyed_patterns,
    pattern_key_id,
    pdq_occurrences,
    text_occurrences,
    url_occurrences,
)
from fimihub.errors import ValidationError
from fimihub.matching import minhash
from fimihub.matching.index.pdq import PdqIndex, parse_hashes
from fimihub.matching.index.text import TextIndex
from fimihub.matching.kinds import SIGNAL_TYPES
from fimihub.matching.kinds.handle import PROFILE_DOMAINS, handle_from_url
from fimihub.matching.kinds.url import canonical_url_domain
from fimihub.model import SignalKind
from fimihub.vocab import platform as platform_slug

__all__ = [
    "FINGERPRINT_FORMAT",
    "FINGERPRINT_VERSION",
    "FingerprintBuild",
    "FingerprintConfig",
    "OperationFingerprint",
    "PostingRhythm",
    "build_fingerprint_from_values",
    "build_fingerprints_from_export",
]

FINGERPRINT_FORMAT = "fimihub-fingerprint"
FINGERPRINT_VERSION = 1

I64 = npt.NDArray[np.int64]
#: Decides whether a value is too common to be part of any fingerprint: ``exclude(kind, value)``, with
#: ``kind`` one of ``domain``, ``url``, ``hashtag`` (e.g. a check against the MISP warning lists).
Exclude = Callable[[str, str], bool]

_HEX64 = frozenset("0123456789abcdef")
# Signal kinds a fingerprint built from values ignores (they identify single items, not an operation's style).
_IGNORED_KINDS = frozenset(
    {SignalKind.ACCOUNT_ID, SignalKind.EMAIL, SignalKind.PHONE, SignalKind.MD5, SignalKind.SHA256}
)


@dataclass(frozen=True, slots=True)
class PostingRhythm:
    """When an operation posts: shares of its posts per hour of day (UTC, 24) and weekday (Monday first, 7),
    each summing to 1, over ``posts`` posts."""

    hours: tuple[float, ...]
    weekdays: tuple[float, ...]
    posts: int

    @classmethod
    def from_counts(cls, hours: Sequence[float], weekdays: Sequence[float]) -> PostingRhythm | None:
        """The rhythm of post counts per hour and weekday, or ``None`` when there are no posts."""
        total, days = float(sum(hours)), float(sum(weekdays))
        if total <= 0 or days <= 0:
            return None
        return cls(
            tuple(round(h / total, 6) for h in hours),
            tuple(round(d / days, 6) for d in weekdays),
            round(total),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"hours": list(self.hours), "weekdays": list(self.weekdays), "posts": self.posts}

    @classmethod
    def from_dict(cls, data: object, where: str = "rhythm") -> PostingRhythm:
        if not isinstance(data, Mapping):
            raise ValidationError(where, "must be an object with hours, weekdays and posts")
        hours = _shares(data.get("hours"), 24, f"{where}.hours")
        weekdays = _shares(data.get("weekdays"), 7, f"{where}.weekdays")
        return cls(hours, weekdays, _count(data.get("posts"), f"{where}.posts"))


def _shares(value: object, size: int, where: str) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != size:
        raise ValidationError(where, f"must be a list of {size} numbers")
    out = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int | float) or not math.isfinite(item) or item < 0:
            raise ValidationError(f"{where}[{i}]", "must be a number of at least 0")
        out.append(float(item))
    return tuple(out)


def _count(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(where, "must be a whole number of at least 0")
    return value


@dataclass(frozen=True)
class OperationFingerprint:
    """The traits of one disrupted operation that its returning accounts are likely to reuse.

    Every collection is a sorted tuple of canonical values (see the module docstring for what each holds).
    """

    operation: str
    accounts: int = 0
    posts: int = 0
    platforms: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    pdq: tuple[str, ...] = ()
    text_signatures: tuple[str, ...] = ()
    handle_patterns: tuple[str, ...] = ()
    #: Names the key the handle patterns were made with (``None`` when there are none).
    pattern_key_id: str | None = None
    rhythm: PostingRhythm | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.operation, str) or not self.operation.strip():
            raise ValidationError("operation", "a fingerprint names its operation")
        for name in ("platforms", "domains", "urls", "hashtags", "pdq", "text_signatures", "handle_patterns"):
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))

    @property
    def size(self) -> int:
        """How many values it holds, all kinds together."""
        return sum(
            len(v)
            for v in (
                self.domains,
                self.urls,
                self.hashtags,
                self.pdq,
                self.text_signatures,
                self.handle_patterns,
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON-safe, versioned form (what a forum shares)."""
        return {
            "format": FINGERPRINT_FORMAT,
            "version": FINGERPRINT_VERSION,
            "operation": self.operation,
            "accounts": self.accounts,
            "posts": self.posts,
            "platforms": list(self.platforms),
            "domains": list(self.domains),
            "urls": list(self.urls),
            "hashtags": list(self.hashtags),
            "pdq": list(self.pdq),
            "text_signatures": list(self.text_signatures),
            "handle_patterns": list(self.handle_patterns),
            "pattern_key_id": self.pattern_key_id,
            "rhythm": self.rhythm.to_dict() if self.rhythm is not None else None,
        }

    @classmethod
    def from_dict(cls, data: object) -> OperationFingerprint:
        """Read :meth:`to_dict`'s form back; ``ValidationError`` names the first bad field (``urls[3]``)."""
        if not isinstance(data, Mapping):
            raise ValidationError("fingerprint", "must be a JSON object")
        if data.get("format") != FINGERPRINT_FORMAT:
            raise ValidationError("format", f"must be {FINGERPRINT_FORMAT!r}")
        if data.get("version") != FINGERPRINT_VERSION:
            raise ValidationError("version", f"version {data.get('version')!r} is not supported (only 1)")
        known = {
            "format", "version", "operation", "accounts", "posts", "platforms", "domains", "urls", "hashtags",
            "pdq", "text_signatures", "handle_patterns", "pattern_key_id", "rhythm",
        }  # fmt: skip
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError(str(unknown[0]), "unknown fingerprint field")
        operation = data.get("operation")
        if not isinstance(operation, str) or not operation.strip():
            raise ValidationError("operation", "must be a non-empty string")
        key_id = data.get("pattern_key_id")
        if key_id is not None and not isinstance(key_id, str):
            raise ValidationError("pattern_key_id", "must be a string or null")
        patterns = _values(data, "handle_patterns", _digest)
        if patterns and key_id is None:
            raise ValidationError("pattern_key_id", "handle patterns need the id of the key that made them")
        rhythm = data.get("rhythm")
        return cls(
            operation=operation,
            accounts=_count(data.get("accounts", 0), "accounts"),
            posts=_count(data.get("posts", 0), "posts"),
            platforms=_values(data, "platforms", platform_slug),
            domains=_values(data, "domains", SIGNAL_TYPES[SignalKind.DOMAIN].normalise),
            urls=_values(data, "urls", SIGNAL_TYPES[SignalKind.URL].normalise),
            hashtags=_values(data, "hashtags", SIGNAL_TYPES[SignalKind.HASHTAG].normalise),
            pdq=_values(data, "pdq", _pdq),
            text_signatures=_values(data, "text_signatures", lambda v: minhash.encode(minhash.decode(v))),
            handle_patterns=patterns,
            pattern_key_id=key_id,
            rhythm=PostingRhythm.from_dict(rhythm) if rhythm is not None else None,
        )


def _values(data: Mapping[str, Any], name: str, check: Callable[[str], str]) -> tuple[str, ...]:
    items = data.get(name, [])
    if not isinstance(items, list):
        raise ValidationError(name, "must be a list of strings")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise ValidationError(f"{name}[{i}]", "must be a string")
        try:
            out.append(check(item))
        except ValueError as error:
            raise ValidationError(f"{name}[{i}]", str(error)) from None
    return tuple(out)


def _digest(value: str) -> str:
    text = value.strip().lower()
    if len(text) != 64 or not set(text) <= _HEX64:
        raise ValueError("a handle pattern is a keyed hash of 64 hex digits")
    return text


def _pdq(value: str) -> str:
    text = value.strip().lower()
    parse_hashes([text])
    return text


@dataclass(frozen=True)
class FingerprintConfig:
    """How a fingerprint is drawn from a labelled export.

    ``min_accounts``: a value is kept only when at least this many of the operation's accounts used it
    (near-duplicate texts and images counting together), so what one account posted alone stays out.
    ``text_near`` / ``pdq_near``: what counts as the same text (estimated Jaccard) or image (Hamming bits)
    when counting accounts. ``text_merge`` / ``pdq_merge``: kept texts and images this close to a better
    supported one are dropped, as they would find the same copies. ``max_values``: at most this many values
    of each kind, the most used first.
    """

    min_accounts: int = 2
    text_near: float = 0.8
    text_merge: float = 0.9
    pdq_near: int = 31
    pdq_merge: int = 8
    max_values: int = 5000

    def __post_init__(self) -> None:
        if self.min_accounts < 1:
            raise ValidationError("min_accounts", "must be at least 1")
        if not 0.5 <= self.text_near <= self.text_merge < 1:
            raise ValidationError("text_near", "need 0.5 <= text_near <= text_merge < 1")
        if not 0 <= self.pdq_merge <= self.pdq_near <= 256:
            raise ValidationError("pdq_near", "need 0 <= pdq_merge <= pdq_near <= 256")
        if self.max_values < 1:
            raise ValidationError("max_values", "must be at least 1")


@dataclass(frozen=True)
class FingerprintBuild:
    """Fingerprints built from an export, one per operation label, and what was skipped per column."""

    fingerprints: tuple[OperationFingerprint, ...]
    rows: int
    skipped: dict[str, int] = field(default_factory=dict)

    def by_operation(self) -> dict[str, OperationFingerprint]:
        return {f.operation: f for f in self.fingerprints}


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
    labels = pc.utf8_trim_whitespace(pc.fill_null(pc.cast(table.column("operation"), pa.string()), ""))
    encoded = labels.combine_chunks().dictionary_encode()
    names = [str(n) for n in encoded.dictionary.to_pylist()]
    op = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    unlabelled = np.array([n == "" for n in names], dtype=bool)[op]
    skipped["operation"] += int((unlabelled & (view.account >= 0)).sum())
    op = np.where(unlabelled | (view.account < 0), -1, op)
    if "post_id" in table.column_names:
        has_post = pc.not_equal(pc.fill_null(pc.cast(table.column("post_id"), pa.string()), ""), "")
        posting = np.asarray(has_post.to_numpy(), dtype=bool)
    else:
        posting = np.ones(table.num_rows, dtype=bool)

    n_ops = len(names)
    kept: dict[str, list[list[str]]] = {}
    columns = view.columns

    def support(found: Occurrences, kind: str) -> None:
        kept[kind] = _exact_support(found, op, view.account, n_ops, config, kind, exclude)

    if "urls" in columns:
        urls, domains = url_occurrences(columns["urls"], skipped)
        support(urls, "url")
        support(domains, "domain")
    if "hashtags" in columns:
        support(hashtag_occurrences(columns["hashtags"], skipped), "hashtag")
    if "image_pdq" in columns:
        found, hashes = pdq_occurrences(columns["image_pdq"], skipped)
        kept["pdq"] = _pdq_support(found, hashes, op, view.account, n_ops, config)
    if "text" in columns:
        texts = text_occurrences(columns["text"])
        kept["text"] = _text_support(texts.rows, texts.ids, texts.signatures, op, view.account, n_ops, config)
    patterns = _op_patterns(columns.get("handle"), op, view.account, n_ops, key)

    fingerprints = []
    for o, name in enumerate(names):
        rows = np.flatnonzero(op == o)
        if name == "" or not len(rows):
            continue
        accounts = np.unique(view.account[rows])
        timed = rows[view.has_time[rows] & posting[rows]]
        hours, days = histograms(np.zeros(len(timed), np.int64), view.times[timed], 1)
        platforms = {_slug(view.platforms[a]) for a in accounts.tolist()}
        fingerprints.append(
            OperationFingerprint(
                operation=name,
                accounts=len(accounts),
                posts=int(posting[rows].sum()),
                platforms=tuple(platforms),
                domains=tuple(kept.get("domain", [[]] * n_ops)[o]),
                urls=tuple(kept.get("url", [[]] * n_ops)[o]),
                hashtags=tuple(kept.get("hashtag", [[]] * n_ops)[o]),
                pdq=tuple(kept.get("pdq", [[]] * n_ops)[o]),
                text_signatures=tuple(kept.get("text", [[]] * n_ops)[o]),
                handle_patterns=tuple(patterns[o]),
                pattern_key_id=pattern_key_id(key) if patterns[o] else None,
                rhythm=PostingRhythm.from_counts(hours[0].tolist(), days[0].tolist()),
            )
        )
    fingerprints.sort(key=lambda f: f.operation)
    return FingerprintBuild(tuple(fingerprints), table.num_rows, dict(skipped))


def _slug(name: str) -> str:
    try:
        return platform_slug(name)
    except ValueError:
        return name.strip().lower()


def _triples(rows: I64, ids: I64, op: I64, account: I64) -> tuple[I64, I64, I64]:
    """Distinct (operation, value, account) of occurrences on labelled rows."""
    o, a = op[rows], account[rows]
    keep = o >= 0
    stacked = np.unique(np.stack([o[keep], ids[keep], a[keep]], axis=1), axis=0)
    return stacked[:, 0], stacked[:, 1], stacked[:, 2]


def _ranked(o: I64, v: I64, counts: I64, n_ops: int, config: FingerprintConfig) -> list[list[int]]:
    """Per operation, the value ids with enough accounts, most used first (ties by id), capped."""
    out: list[list[int]] = [[] for _ in range(n_ops)]
    keep = counts >= config.min_accounts
    order = np.lexsort((v[keep], -counts[keep], o[keep]))
    for oo, vv in zip(o[keep][order].tolist(), v[keep][order].tolist(), strict=True):
        if len(out[oo]) < config.max_values:
            out[oo].append(vv)
    return out


def _exact_support(
    found: Occurrences,
    op: I64,
    account: I64,
    n_ops: int,
    config: FingerprintConfig,
    kind: str,
    exclude: Exclude | None,
) -> list[list[str]]:
    if not len(found.rows):
        return [[] for _ in range(n_ops)]
    o, v, _ = _triples(found.rows, found.ids, op, account)
    pairs, counts = np.unique(np.stack([o, v], axis=1), axis=0, return_counts=True)
    ranked = _ranked(pairs[:, 0], pairs[:, 1], counts.astype(np.int64), n_ops, config)
    return [
        [found.values[i] for i in ids if exclude is None or not exclude(kind, found.values[i])]
        for ids in ranked
    ]


def _near_support(
    o: I64, v: I64, a: I64, near_i: I64, near_j: I64, n_ops: int, config: FingerprintConfig
) -> tuple[list[list[int]], dict[int, set[int]]]:
    """Like exact support, but an account using value ``i`` also counts for every ``j`` near it."""
    size = int(max(v.max(initial=0), near_i.max(initial=0), near_j.max(initial=0))) + 1
    # CSR of neighbours (self included) per value.
    src = np.concatenate([np.arange(size), near_i])
    dst = np.concatenate([np.arange(size), near_j])
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order]
    starts = np.searchsorted(src, np.arange(size + 1))
    widths = starts[v + 1] - starts[v]
    idx = np.repeat(starts[v] - np.cumsum(widths) + widths, widths) + np.arange(int(widths.sum()))
    expanded = np.unique(np.stack([np.repeat(o, widths), dst[idx], np.repeat(a, widths)], axis=1), axis=0)
    pairs, counts = np.unique(expanded[:, :2], axis=0, return_counts=True)
    ranked = _ranked(pairs[:, 0], pairs[:, 1], counts.astype(np.int64), n_ops, config)
    neighbours: dict[int, set[int]] = {}
    for i, j in zip(near_i.tolist(), near_j.tolist(), strict=True):
        neighbours.setdefault(i, set()).add(j)
    return ranked, neighbours


def _merge(ranked: list[list[int]], close: dict[int, set[int]]) -> list[list[int]]:
    """Per operation, drop every value close to a better supported one that is kept."""
    out = []
    for ids in ranked:
        kept: list[int] = []
        covered: set[int] = set()
        for i in ids:
            if i in covered:
                continue
            kept.append(i)
            covered |= close.get(i, set())
        out.append(kept)
    return out


def _pdq_support(
    found: Occurrences,
    hashes: npt.NDArray[np.uint8],
    op: I64,
    account: I64,
    n_ops: int,
    config: FingerprintConfig,
) -> list[list[str]]:
    if not len(found.rows):
        return [[] for _ in range(n_ops)]
    o, v, a = _triples(found.rows, found.ids, op, account)
    used = np.unique(v)
    index = PdqIndex(config.pdq_near)
    index.add_hashes(hashes[used], used)
    q, entries, dist = index.query_hashes(hashes[used])
    q = used[q]
    other = q != entries
    ranked, _ = _near_support(o, v, a, q[other], entries[other], n_ops, config)
    merge = other & (dist <= config.pdq_merge)
    close: dict[int, set[int]] = {}
    for i, j in zip(q[merge].tolist(), entries[merge].tolist(), strict=True):
        close.setdefault(i, set()).add(j)
    return [[found.values[i] for i in ids] for ids in _merge(ranked, close)]


def _text_support(
    rows: I64,
    ids: I64,
    signatures: npt.NDArray[np.uint32],
    op: I64,
    account: I64,
    n_ops: int,
    config: FingerprintConfig,
) -> list[list[str]]:
    if not len(rows):
        return [[] for _ in range(n_ops)]
    o, v, a = _triples(rows, ids, op, account)
    used = np.unique(v)
    index = TextIndex(config.text_near)
    index.add_signatures(signatures[used], used)
    near_i: list[int] = []
    near_j: list[int] = []
    close: dict[int, set[int]] = {}
    for i, hits in zip(used.tolist(), index.query_signatures(signatures[used]), strict=True):
        for hit in hits:
            if hit.entry == i or hit.score < config.text_near:
                continue
            near_i.append(i)
            near_j.append(hit.entry)
            if hit.score >= config.text_merge:
                close.setdefault(i, set()).add(hit.entry)
    ranked, _ = _near_support(
        o, v, a, np.asarray(near_i, np.int64), np.asarray(near_j, np.int64), n_ops, config
    )
    return [[minhash.encode(signatures[i]) for i in ids_] for ids_ in _merge(ranked, close)]


def _op_patterns(column: pa.Array | None, op: I64, account: I64, n_ops: int, key: bytes) -> list[list[str]]:
    """Keyed handle patterns of each operation's accounts."""
    out: list[set[str]] = [set() for _ in range(n_ops)]
    if column is None:
        return [[] for _ in range(n_ops)]
    labelled = np.flatnonzero(op >= 0)
    if not len(labelled):
        return [[] for _ in range(n_ops)]
    encoded = column.take(pa.array(labelled)).dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    pairs = np.unique(np.stack([op[labelled], codes], axis=1), axis=0)
    handles = encoded.dictionary.to_pylist()
    digests: dict[int, list[str]] = {}
    for o, c in pairs.tolist():
        if c not in digests:
            digests[c] = keyed_patterns(key, handle_patterns(handles[c])) if handles[c] else []
        out[o].update(digests[c])
    return [sorted(s) for s in out]


def build_fingerprint_from_values(
    operation: str,
    values: Mapping[str, Iterable[str]],
    *,
    key: bytes,
    platforms: Iterable[str] = (),
    accounts: int = 0,
    posts: int = 0,
    rhythm: PostingRhythm | None = None,
) -> OperationFingerprint:
    """A fingerprint from an operation's assets and signals given as plain values, by kind.

    Kinds: ``domain``, ``url`` (each also stands for its domain; a profile URL for its handle), ``hashtag``,
    ``pdq``, ``text`` (``mh1`` signatures or raw texts, which are signed here), ``handle`` (``platform:name``
    or a bare name, turned into keyed patterns) and ``handle_pattern`` (patterns already keyed with ``key``).
    Signal kinds that name single items (``account_id``, ``email``, ``phone``, ``md5``, ``sha256``) and
    ``phrase`` are ignored. A value that is not of its kind raises ``ValidationError`` naming it
    (``values.url[2]``); so does an unknown kind.
    """
    key = check_key(key)
    found: dict[str, list[str]] = {
        "domain": [], "url": [], "hashtag": [], "pdq": [], "text": [], "handle_pattern": [],
    }  # fmt: skip
    clear_handles: list[str] = []
    for kind, items in values.items():
        try:
            signal_kind: SignalKind | None = SignalKind(kind)
        except ValueError:
            signal_kind = None
        if kind != "handle_pattern" and (signal_kind is None):
            raise ValidationError(f"values.{kind}", "not a kind a fingerprint can hold")
        if signal_kind in _IGNORED_KINDS or signal_kind is SignalKind.PHRASE:
            continue
        for i, item in enumerate(items):
            where = f"values.{kind}[{i}]"
            if not isinstance(item, str):
                raise ValidationError(where, "must be a string")
            try:
                if kind == "handle_pattern":
                    found[kind].append(_digest(item))
                elif signal_kind is SignalKind.HANDLE:
                    clear_handles.append(item.partition(":")[2] if ":" in item else item)
                elif signal_kind is not None:
                    canonical = SIGNAL_TYPES[signal_kind].normalise(item)
                    if signal_kind is SignalKind.URL:
                        profile = handle_from_url(canonical)
                        domain = canonical_url_domain(canonical)
                        if profile is not None:
                            clear_handles.append(profile[1])
                        if domain in PROFILE_DOMAINS:
                            continue
                        found["domain"].append(domain)
                    found[signal_kind.value].append(canonical)
            except ValueError as error:
                raise ValidationError(where, str(error)) from None
    patterns = {p for h in clear_handles for p in handle_patterns(h)}
    digests = keyed_patterns(key, sorted(patterns)) + found["handle_pattern"]
    return OperationFingerprint(
        operation=operation,
        accounts=accounts,
        posts=posts,
        platforms=tuple(_slug(p) for p in platforms),
        domains=tuple(found["domain"]),
        urls=tuple(found["url"]),
        hashtags=tuple(found["hashtag"]),
        pdq=tuple(found["pdq"]),
        text_signatures=tuple(found["text"]),
        handle_patterns=tuple(digests),
        pattern_key_id=pattern_key_id(key) if digests else None,
        rhythm=rhythm,
    )

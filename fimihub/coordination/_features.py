"""What operation fingerprints and resurgence scoring read from a platform export, column-wise.

Both sides must see the same values in the same canonical form, or nothing would match: URLs as the ``url``
signal kind writes them and their registrable domains, hashtags as the ``hashtag`` kind, PDQ hashes in lower
case hex, texts as MinHash signatures, post times in Unix seconds, and handles as *handle patterns*. Work is
done per distinct value (a popular URL is normalised once, not once per post) with pyarrow and numpy, so a
batch of a million rows costs a few Python calls per distinct value at most.

Values that cannot be read (a junk URL, a hash that is not 64 hex digits, a time that is no time) are counted
per column in a ``skipped`` counter and left out; a bad value never stops a scan.

Handles are read as *handle patterns* (:mod:`fimihub.coordination._handles`), which travel only as keyed
hashes, and post times by :mod:`fimihub.coordination._post_times`; both are re-exported here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination._handles import (
    MIN_KEY_BYTES,
    MIN_PATTERN_LETTERS,
    check_key,
    handle_patterns,
    keyed_patterns,
    pattern_key_id,
)
from fimihub.coordination._post_times import histograms, post_times
from fimihub.errors import ValidationError
from fimihub.matching import minhash
from fimihub.matching.index.pdq import parse_hashes
from fimihub.matching.kinds import CANONICAL_PATTERNS
from fimihub.matching.kinds.handle import PROFILE_DOMAINS
from fimihub.matching.kinds.hashtag import normalise_hashtag
from fimihub.matching.kinds.url import canonical_url_domain, normalise_url
from fimihub.model import SignalKind
from fimihub.vocab import platform as platform_slug

__all__ = [
    "MIN_KEY_BYTES",
    "MIN_PATTERN_LETTERS",
    "REQUIRED_COLUMNS",
    "ExportView",
    "Occurrences",
    "TextOccurrences",
    "check_key",
    "dictionary_codes",
    "export_view",
    "handle_pairs",
    "handle_patterns",
    "hashtag_occurrences",
    "histograms",
    "keyed_patterns",
    "pattern_key_id",
    "pdq_occurrences",
    "platform_name",
    "post_times",
    "string_column",
    "text_occurrences",
    "url_occurrences",
]

I64 = npt.NDArray[np.int64]

#: Columns without which an export cannot be read at all.
REQUIRED_COLUMNS = ("platform", "account_id")
_STRING_COLUMNS = ("handle", "text", "urls", "hashtags", "image_pdq")

_URL_CANONICAL, _URL_EXCLUDED = CANONICAL_PATTERNS[SignalKind.URL]
_TAG_CANONICAL = CANONICAL_PATTERNS[SignalKind.HASHTAG][0]
_PDQ = r"^[0-9a-f]{64}$"
_HOST = r"^[a-z]+://(?P<host>[^/?#]+)"


@dataclass(frozen=True)
class ExportView:
    """An export's rows tied to accounts: ``account[i]`` is the account code of row ``i`` (``-1`` for a row
    without platform or account id), and ``platforms[c]`` / ``account_ids[c]`` name account ``c``."""

    rows: int
    account: I64
    platforms: list[str]
    account_ids: list[str]
    columns: dict[str, pa.Array]
    times: I64
    has_time: npt.NDArray[np.bool_]

    @property
    def accounts(self) -> int:
        return len(self.platforms)


def string_column(table: pa.Table, name: str) -> pa.Array:
    """Column ``name`` of ``table`` as one string array, nulls made empty."""
    column = table.column(name).combine_chunks() if table.num_rows else pa.array([], pa.string())
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        column = pc.cast(column, pa.string())
    return pc.fill_null(column, "")


def dictionary_codes(encoded: pa.DictionaryArray) -> I64:
    """The dictionary index of each value of a dictionary-encoded array."""
    return np.array(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)


def platform_name(name: str, unknown: str | None = None) -> str:
    """The platform slug of an export's ``platform`` value; one the vocabulary does not know is ``unknown``,
    or by default kept as written (trimmed, lower case)."""
    try:
        return platform_slug(name)
    except ValueError:
        return name.strip().lower() if unknown is None else unknown


def export_view(
    table: pa.Table, skipped: Counter[str], *, required: Sequence[str] = REQUIRED_COLUMNS
) -> ExportView:
    """The rows of ``table`` by account, its string columns with nulls made empty, and its post times.

    Raises ``ValidationError`` naming every required column that is missing. Rows with an empty platform
    or account id are counted in ``skipped["account"]``; unreadable post times in ``skipped["posted_at"]``.
    """
    missing = [name for name in required if name not in table.column_names]
    if missing:
        have = ", ".join(table.column_names) or "none"
        errors = [(name, f"the export has no {name!r} column (it has: {have})") for name in missing]
        raise ValidationError(missing[0], errors[0][1], errors=errors)
    platform = pc.utf8_trim_whitespace(string_column(table, "platform"))
    account_id = pc.utf8_trim_whitespace(string_column(table, "account_id"))
    valid = pc.and_(pc.not_equal(platform, ""), pc.not_equal(account_id, ""))
    keys = pc.binary_join_element_wise(platform, account_id, "\x1f")
    encoded = keys.dictionary_encode()
    codes = dictionary_codes(encoded)
    names = encoded.dictionary.to_pylist()
    # Codes of the valid keys only, dense from 0.
    valid_np = valid.to_numpy(zero_copy_only=False).astype(bool)
    used = np.zeros(len(names), dtype=bool)
    used[codes[valid_np]] = True
    renumber = np.full(len(names), -1, dtype=np.int64)
    renumber[used] = np.arange(int(used.sum()))
    account = np.where(valid_np, renumber[codes], -1)
    skipped["account"] += int((~valid_np).sum())
    split = [names[i].split("\x1f", 1) for i in np.flatnonzero(used).tolist()]
    columns = {name: string_column(table, name) for name in _STRING_COLUMNS if name in table.column_names}
    if "posted_at" in table.column_names:
        times, has_time = post_times(table.column("posted_at"), skipped)
    else:
        times, has_time = np.zeros(table.num_rows, np.int64), np.zeros(table.num_rows, bool)
    return ExportView(
        rows=table.num_rows,
        account=account,
        platforms=[p for p, _ in split],
        account_ids=[a for _, a in split],
        columns=columns,
        times=times,
        has_time=has_time & (account >= 0),
    )


@dataclass(frozen=True)
class Occurrences:
    """Values found in a column: ``rows[i]`` holds value ``values[ids[i]]`` (``values`` distinct)."""

    rows: I64
    ids: I64
    values: list[str]

    @classmethod
    def empty(cls) -> Occurrences:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), [])


def _split(column: pa.Array) -> tuple[I64, pa.Array]:
    """Rows and values of a space-separated list column, empty values left out."""
    lists = pc.utf8_split_whitespace(column)
    values = pc.list_flatten(lists)
    rows = pc.list_parent_indices(lists)
    keep = pc.not_equal(values, "")
    return np.asarray(pc.filter(rows, keep).to_numpy(zero_copy_only=False), np.int64), pc.filter(values, keep)


def _canonical(
    encoded: pa.DictionaryArray, rows: I64, canonical: list[str | None], skipped: Counter[str], what: str
) -> Occurrences:
    """Occurrences of the canonical forms ``canonical[j]`` of the dictionary values of ``encoded`` (``None``
    where a value has none: those occurrences are counted in ``skipped[what]``)."""
    codes = dictionary_codes(encoded)
    forms: dict[str, int] = {}
    ids = np.full(len(canonical), -1, dtype=np.int64)
    for j, form in enumerate(canonical):
        if form is not None:
            ids[j] = forms.setdefault(form, len(forms))
    mapped = ids[codes]
    good = mapped >= 0
    skipped[what] += int((~good).sum())
    return Occurrences(rows[good], mapped[good], list(forms))


def url_occurrences(column: pa.Array, skipped: Counter[str]) -> tuple[Occurrences, Occurrences]:
    """Canonical URLs of a ``urls`` column and their registrable domains.

    URLs on the platforms' own domains (profile and post links) are left out of both: they name accounts,
    not an operation's outlets, and a fingerprint must not carry them.
    """
    rows, values = _split(column)
    if not len(values):
        return Occurrences.empty(), Occurrences.empty()
    encoded = values.dictionary_encode()
    distinct = encoded.dictionary
    fast = pc.match_substring_regex(distinct, _URL_CANONICAL)
    if _URL_EXCLUDED:
        fast = pc.and_(fast, pc.invert(pc.match_substring_regex(distinct, _URL_EXCLUDED)))
    canonical: list[str | None] = []
    for value, ok in zip(distinct.to_pylist(), fast.to_pylist(), strict=True):
        if ok:
            canonical.append(value)
            continue
        try:
            canonical.append(normalise_url(value))
        except ValueError:
            canonical.append(None)
    urls = _canonical(encoded, rows, canonical, skipped, "urls")
    if not urls.values:
        return Occurrences.empty(), Occurrences.empty()
    domain_of = _domains(urls.values)
    keep_value = np.array([d is not None and d not in PROFILE_DOMAINS for d in domain_of], dtype=bool)
    keep = keep_value[urls.ids]
    renumber = np.cumsum(keep_value) - 1
    kept = Occurrences(
        urls.rows[keep],
        renumber[urls.ids[keep]],
        [v for v, k in zip(urls.values, keep_value.tolist(), strict=True) if k],
    )
    domain_index: dict[str, int] = {}
    domain_ids = np.array(
        [
            domain_index.setdefault(d, len(domain_index)) if k and d else -1
            for d, k in zip(domain_of, keep_value.tolist(), strict=True)
        ],
        dtype=np.int64,
    )
    domains = Occurrences(urls.rows[keep], domain_ids[urls.ids[keep]], list(domain_index))
    return _distinct_per_row(kept), _distinct_per_row(domains)


def _domains(urls: list[str]) -> list[str | None]:
    """The registrable domain of each canonical URL, worked out once per host."""
    hosts = pc.struct_field(pc.extract_regex(pa.array(urls, pa.string()), _HOST), [0]).to_pylist()
    by_host: dict[str, str | None] = {}
    out: list[str | None] = []
    for url, host in zip(urls, hosts, strict=True):
        if host not in by_host:
            try:
                by_host[host] = canonical_url_domain(url)
            except (ValueError, IndexError):
                by_host[host] = None
        out.append(by_host[host])
    return out


def _distinct_per_row(found: Occurrences) -> Occurrences:
    """``found`` with each (row, value) once (a post linking twice to one site names it once)."""
    if not len(found.rows):
        return found
    pairs = np.unique(found.rows * max(len(found.values), 1) + found.ids)
    return Occurrences(pairs // max(len(found.values), 1), pairs % max(len(found.values), 1), found.values)


def hashtag_occurrences(column: pa.Array, skipped: Counter[str]) -> Occurrences:
    """Canonical hashtags of a ``hashtags`` column."""
    rows, values = _split(column)
    if not len(values):
        return Occurrences.empty()
    encoded = values.dictionary_encode()
    distinct = encoded.dictionary
    lower = pc.utf8_lower(distinct)
    fast = pc.match_substring_regex(lower, _TAG_CANONICAL).to_pylist()
    canonical: list[str | None] = []
    for value, low, ok in zip(distinct.to_pylist(), lower.to_pylist(), fast, strict=True):
        if ok:
            canonical.append(low)
            continue
        try:
            canonical.append(normalise_hashtag(value))
        except ValueError:
            canonical.append(None)
    return _distinct_per_row(_canonical(encoded, rows, canonical, skipped, "hashtags"))


def pdq_occurrences(column: pa.Array, skipped: Counter[str]) -> tuple[Occurrences, npt.NDArray[np.uint8]]:
    """Image hashes of an ``image_pdq`` column, and the ``(n, 32)`` bytes of the distinct ones."""
    rows, values = _split(column)
    if not len(values):
        return Occurrences.empty(), np.zeros((0, 32), np.uint8)
    encoded = pc.utf8_lower(values).dictionary_encode()
    distinct = encoded.dictionary
    ok = pc.match_substring_regex(distinct, _PDQ).to_pylist()
    canonical = [v if good else None for v, good in zip(distinct.to_pylist(), ok, strict=True)]
    found = _canonical(encoded, rows, canonical, skipped, "image_pdq")
    return found, parse_hashes(found.values) if found.values else np.zeros((0, 32), np.uint8)


@dataclass(frozen=True)
class TextOccurrences:
    """Signable texts: ``rows[i]`` posted the text signed as ``signatures[ids[i]]`` (distinct texts)."""

    rows: I64
    ids: I64
    signatures: npt.NDArray[np.uint32]


def text_occurrences(column: pa.Array) -> TextOccurrences:
    """MinHash signatures of the distinct texts of a ``text`` column. Texts too short to sign (fewer than
    five words) are left out without being counted: most posts are short, and that is not an error."""
    keep = pc.not_equal(column, "")
    rows = np.flatnonzero(keep.to_numpy(zero_copy_only=False))
    if not len(rows):
        return TextOccurrences(rows.astype(np.int64), rows.astype(np.int64), np.zeros((0, 128), np.uint32))
    encoded = column.take(pa.array(rows)).dictionary_encode()
    signatures = minhash.signatures(encoded.dictionary.to_pylist())
    signed = ~(signatures == minhash.EMPTY).all(axis=1)
    renumber = np.cumsum(signed) - 1
    codes = dictionary_codes(encoded)
    good = signed[codes]
    return TextOccurrences(rows[good].astype(np.int64), renumber[codes[good]], signatures[signed])


def handle_pairs(column: pa.Array, rows: I64, group: I64) -> tuple[I64, dict[int, list[str]]]:
    """The distinct ``(group, handle)`` pairs of ``rows`` of a ``handle`` column (``group[r]`` is row ``r``'s
    account or operation, the handle a code), and the patterns in clear of each non-empty handle among them.

    Patterns are made once per distinct handle, however many rows carry it."""
    encoded = column.take(pa.array(rows, pa.int64())).dictionary_encode()
    pairs = np.unique(np.stack([group[rows], dictionary_codes(encoded)], axis=1), axis=0)
    names = encoded.dictionary.to_pylist()
    return pairs, {c: handle_patterns(names[c]) for c in np.unique(pairs[:, 1]).tolist() if names[c]}

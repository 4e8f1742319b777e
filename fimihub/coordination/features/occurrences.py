"""The values fingerprints and resurgence scoring read from an export's columns, in canonical form.

Both sides must see the same values in the same canonical form, or nothing would match: URLs as the ``url``
signal kind writes them and their registrable domains, hashtags as the ``hashtag`` kind, PDQ hashes in lower
case hex, and texts as MinHash signatures. Work is done per distinct value (a popular URL is normalised once,
not once per post) with pyarrow and numpy, so a batch of a million rows costs a few Python calls per distinct
value at most.

Values that cannot be read (a junk URL, a hash that is not 64 hex digits) are counted per column in a
``skipped`` counter and left out; a bad value never stops a scan.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.coordination.columns import dictionary_codes
from fimihub.matching import minhash
from fimihub.matching.index.pdq import parse_hashes
from fimihub.matching.kinds import CANONICAL_PATTERNS
from fimihub.matching.kinds.handle import PROFILE_DOMAINS
from fimihub.matching.kinds.hashtag import normalise_hashtag
from fimihub.matching.kinds.url import canonical_url_domain, normalise_url
from fimihub.model import SignalKind

__all__ = [
    "Occurrences",
    "TextOccurrences",
    "hashtag_occurrences",
    "pdq_occurrences",
    "text_occurrences",
    "url_occurrences",
]

I64 = npt.NDArray[np.int64]

_URL_CANONICAL, _URL_EXCLUDED = CANONICAL_PATTERNS[SignalKind.URL]
_TAG_CANONICAL = CANONICAL_PATTERNS[SignalKind.HASHTAG][0]
_PDQ = r"^[0-9a-f]{64}$"
_HOST = r"^[a-z]+://(?P<host>[^/?#]+)"


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


def _normalised(
    values: list[str], ready: list[str | None], normalise: Callable[[str], str]
) -> list[str | None]:
    """The canonical form of each distinct value: ``ready[i]`` where a column-wise check already found it
    canonical, else ``normalise(value)``, ``None`` where that raises ``ValueError``."""
    out: list[str | None] = []
    for value, form in zip(values, ready, strict=True):
        if form is not None:
            out.append(form)
            continue
        try:
            out.append(normalise(value))
        except ValueError:
            out.append(None)
    return out


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
    distinct_values = distinct.to_pylist()
    ready = [v if ok else None for v, ok in zip(distinct_values, fast.to_pylist(), strict=True)]
    urls = _canonical(encoded, rows, _normalised(distinct_values, ready, normalise_url), skipped, "urls")
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
    ready = [low if ok else None for low, ok in zip(lower.to_pylist(), fast, strict=True)]
    canonical = _normalised(distinct.to_pylist(), ready, normalise_hashtag)
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

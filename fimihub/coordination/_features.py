"""What operation fingerprints and resurgence scoring read from a platform export, column-wise.

Both sides must see the same values in the same canonical form, or nothing would match: URLs as the ``url``
signal kind writes them and their registrable domains, hashtags as the ``hashtag`` kind, PDQ hashes in lower
case hex, texts as MinHash signatures, post times in Unix seconds, and handles as *handle patterns*. Work is
done per distinct value (a popular URL is normalised once, not once per post) with pyarrow and numpy, so a
batch of a million rows costs a few Python calls per distinct value at most.

Values that cannot be read (a junk URL, a hash that is not 64 hex digits, a time that is no time) are counted
per column in a ``skipped`` counter and left out; a bad value never stops a scan.

Handle patterns
    Returning operators pick handles close to the ones that were removed: ``name_1234`` becomes
    ``name_1235``, ``name_news`` or ``nam3_1234``, often on another platform whose rules drop the ``_``.
    :func:`handle_patterns` reduces a handle to what such renames keep: the handle folded (NFKC, case,
    TR39 confusables), digits read as the letters they imitate where they sit inside a word (``nam3`` ->
    ``name``), every other run of digits generalised to ``#``, look-alike letters made one (``i``/``l``),
    doubled letters collapsed and separators dropped. Its *stem* is the whole result (``name_1234`` ->
    ``name#``), its *core* the stem without its last part (``name_news`` -> ``name``). Patterns with fewer
    than :data:`MIN_PATTERN_LETTERS` letters say too little about who chose them and are not made. Patterns
    travel only as keyed hashes (:func:`keyed_patterns`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.errors import ValidationError
from fimihub.matching import minhash
from fimihub.matching.index.pdq import parse_hashes
from fimihub.matching.kinds import CANONICAL_PATTERNS
from fimihub.matching.kinds.handle import PROFILE_DOMAINS, fold_handle
from fimihub.matching.kinds.hashtag import normalise_hashtag
from fimihub.matching.kinds.url import canonical_url_domain, normalise_url
from fimihub.model import SignalKind

__all__ = [
    "MIN_KEY_BYTES",
    "MIN_PATTERN_LETTERS",
    "REQUIRED_COLUMNS",
    "ExportView",
    "Occurrences",
    "TextOccurrences",
    "export_view",
    "handle_patterns",
    "hashtag_occurrences",
    "histograms",
    "keyed_patterns",
    "pattern_key_id",
    "pdq_occurrences",
    "text_occurrences",
    "url_occurrences",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

#: Columns without which an export cannot be read at all.
REQUIRED_COLUMNS = ("platform", "account_id")
#: Shortest key accepted for handle patterns: the key, not the handle space, is what resists guessing.
MIN_KEY_BYTES = 16
#: Letters a handle pattern needs to be made at all.
MIN_PATTERN_LETTERS = 6
_PATTERN_TAG = b"fimihub-handle-pattern-v1"
_KEY_ID_TAG = b"fimihub-key-id-v1"
_STRING_COLUMNS = ("handle", "text", "urls", "hashtags", "image_pdq")

_URL_CANONICAL, _URL_EXCLUDED = CANONICAL_PATTERNS[SignalKind.URL]
_TAG_CANONICAL = CANONICAL_PATTERNS[SignalKind.HASHTAG][0]
_PDQ = r"^[0-9a-f]{64}$"
_NUMBER = r"^\s*-?[0-9]+(\.[0-9]*)?\s*$"
_HOST = r"^[a-z]+://(?P<host>[^/?#]+)"

# Digits that stand in for a letter inside a word (``l00k`` -> ``look``), and letters that read alike.
_DIGIT_LETTERS = {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "6": "b", "7": "t", "8": "b", "9": "g"}
_LETTER_FOLD = str.maketrans({"i": "l"})
_RUN = re.compile(r"[0-9]+|[^0-9]+")
_SEPARATORS = re.compile(r"[._\-/:]+")
_REPEATS = re.compile(r"(.)\1+")


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


def _strings(table: pa.Table, name: str) -> pa.Array:
    column = table.column(name).combine_chunks() if table.num_rows else pa.array([], pa.string())
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        column = pc.cast(column, pa.string())
    return pc.fill_null(column, "")


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
    platform = pc.utf8_trim_whitespace(_strings(table, "platform"))
    account_id = pc.utf8_trim_whitespace(_strings(table, "account_id"))
    valid = pc.and_(pc.not_equal(platform, ""), pc.not_equal(account_id, ""))
    keys = pc.binary_join_element_wise(platform, account_id, "\x1f")
    encoded = keys.dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
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
    columns = {name: _strings(table, name) for name in _STRING_COLUMNS if name in table.column_names}
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


def post_times(
    column: pa.ChunkedArray | pa.Array, skipped: Counter[str]
) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Unix seconds of each post and whether it has one: timestamps, numbers (Unix seconds) or ISO 8601
    strings (a time without zone is read as UTC). Non-empty values that are none of these are counted."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    n = len(array)
    if pa.types.is_timestamp(array.type):
        seconds = pc.cast(pc.cast(array, pa.timestamp("s", tz=array.type.tz), safe=False), pa.int64())
        return _filled(seconds), array.is_valid().to_numpy(zero_copy_only=False).astype(bool)
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
        values = pc.cast(pc.floor(pc.cast(array, pa.float64())), pa.int64(), safe=False)
        return _filled(values), array.is_valid().to_numpy(zero_copy_only=False).astype(bool)
    text = pc.utf8_trim_whitespace(pc.fill_null(pc.cast(array, pa.string()), ""))
    times = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    present = pc.not_equal(text, "").to_numpy(zero_copy_only=False).astype(bool)
    number = pc.match_substring_regex(text, _NUMBER).to_numpy(zero_copy_only=False).astype(bool)
    if number.any():
        rows = np.flatnonzero(number)
        values = pc.cast(pc.cast(text.take(pa.array(rows)), pa.float64()), pa.int64(), safe=False)
        times[rows] = values.to_numpy(zero_copy_only=False)
        ok[rows] = True
    rest = np.flatnonzero(present & ~number)
    if len(rest):
        encoded = text.take(pa.array(rest)).dictionary_encode()
        parsed = [_iso_seconds(v) for v in encoded.dictionary.to_pylist()]
        found = np.array([p is not None for p in parsed], dtype=bool)
        value = np.array([p if p is not None else 0 for p in parsed], dtype=np.int64)
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        times[rest] = value[codes]
        ok[rest] = found[codes]
        skipped["posted_at"] += int((~found[codes]).sum())
    return times, ok


def _filled(values: pa.Array) -> I64:
    return np.asarray(pc.fill_null(values, 0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _iso_seconds(value: str) -> int | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


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
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
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
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    good = signed[codes]
    return TextOccurrences(rows[good].astype(np.int64), renumber[codes[good]], signatures[signed])


def histograms(group: I64, seconds: I64, groups: int) -> tuple[F64, F64]:
    """Hour-of-day (UTC, 24 bins) and weekday (Monday first, 7 bins) counts of posts per group."""
    hour = (seconds // 3600) % 24
    weekday = (seconds // 86_400 + 3) % 7  # 1970-01-01 was a Thursday
    hours = np.bincount(group * 24 + hour, minlength=groups * 24).reshape(groups, 24).astype(np.float64)
    days = np.bincount(group * 7 + weekday, minlength=groups * 7).reshape(groups, 7).astype(np.float64)
    return hours, days


# -- handle patterns ---------------------------------------------------------------------------------------


def _readings(name: str) -> list[str]:
    """``name`` (folded, separators as spaces) with each digit run read as letters or as a number ``#``.

    A lone digit inside a word stands for a letter; one that ends a word after letters might be either
    (``anna4`` is ``ann4`` or ``anna`` numbered), so both readings are made, for up to two such digits.
    """
    parts = _RUN.findall(name)
    options: list[list[str]] = []
    ambiguous = 0
    for i, part in enumerate(parts):
        if not part[0].isdigit():
            options.append([part])
            continue
        before = i > 0 and parts[i - 1][-1].isalpha()
        after = i + 1 < len(parts) and parts[i + 1][0].isalpha()
        letter = _DIGIT_LETTERS.get(part) if len(part) == 1 else None
        if letter is not None and after:
            options.append([letter])
        elif letter is not None and before and ambiguous < 2:
            ambiguous += 1
            options.append(["#", letter])
        else:
            options.append(["#"])
    readings = [""]
    for choice in options:
        readings = [r + c for r in readings for c in choice]
    return readings


def handle_patterns(handle: str) -> list[str]:
    """The patterns of ``handle`` in clear (see the module docstring); ``[]`` for a handle that cannot be
    folded or is too short to say anything. Never leaves this process: only keyed hashes are shared."""
    try:
        folded = fold_handle(handle.strip())
    except ValueError:
        return []
    name = _SEPARATORS.sub(" ", folded.rsplit("/", 1)[-1])
    patterns: set[str] = set()
    for reading in _readings(name):
        parts: list[str] = []
        for word in reading.split():
            parts.extend(p for p in re.split(r"(#)", word) if p)
        parts = [_REPEATS.sub(r"\1", p.translate(_LETTER_FOLD)) for p in parts]
        if not parts:
            continue
        for pattern in ("".join(parts), "".join(parts[:-1])):
            if sum(c.isalpha() for c in pattern) >= MIN_PATTERN_LETTERS:
                patterns.add(_REPEATS.sub(r"\1", pattern))
    return sorted(patterns)


def check_key(key: bytes) -> bytes:
    """``key`` if it can key handle patterns; ``ValidationError`` naming ``key`` otherwise."""
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
        raise ValidationError("key", f"a pattern key must be at least {MIN_KEY_BYTES} bytes")
    return bytes(key)


def keyed_patterns(key: bytes, patterns: Iterable[str]) -> list[str]:
    """HMAC-SHA256 digests (hex) of handle patterns under ``key``, tagged so they never equal a pseudonym."""
    key = check_key(key)
    return [
        hmac.new(key, _PATTERN_TAG + b"\x00" + p.encode("utf-8"), hashlib.sha256).hexdigest()
        for p in patterns
    ]


def pattern_key_id(key: bytes) -> str:
    """A short name of ``key`` (as the forum's key id is made), so a scan can tell it holds the wrong key."""
    key = check_key(key)
    return "pk-" + hashlib.sha256(_KEY_ID_TAG + b"\x00" + key).hexdigest()[:16]

"""The local scan engine: a platform export (Parquet or CSV, one row per post) against a matcher's signals.

Work is done per batch of rows and per *distinct* value: URLs, hashtags and image hashes are split out of
their space-separated columns, each distinct value is normalised and looked up once, and only the values
that hit are mapped back to their rows. Values that do not parse (junk URLs, bad hashes) are counted per
column and skipped; the scan carries on.

The engine knows nothing of members or markings: the caller passes ``visible``, which says whether the
member running the scan may see a signal, and the engine drops hits on the others before anything leaves.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fimihub.errors import ValidationError
from fimihub.matching.kinds import CANONICAL_PATTERNS
from fimihub.matching.kinds.handle import PROFILE_DOMAINS
from fimihub.matching.kinds.url import host_domain
from fimihub.matching.matcher import Matcher, MatchHit
from fimihub.model import Signal, SignalKind
from fimihub.vocab import platform as platform_slug

__all__ = [
    "REQUIRED_COLUMNS",
    "STRING_COLUMNS",
    "ScanHit",
    "ScanReport",
    "missing_required",
    "read_export",
    "scan_batch",
    "scan_export",
]

#: Columns a platform export must have; the others (DESIGN.md, "Platform export") are used when present.
REQUIRED_COLUMNS = ("platform", "account_id")
_LIST_COLUMNS = {"urls": SignalKind.URL, "hashtags": SignalKind.HASHTAG, "image_pdq": SignalKind.PDQ}
_PROFILE_DOMAINS = pa.array(sorted(PROFILE_DOMAINS), pa.string())
STRING_COLUMNS = ("platform", "account_id", "handle", "post_id", "text", "urls", "hashtags", "image_pdq")
BATCH_ROWS = 100_000


@dataclass(frozen=True, slots=True)
class ScanHit:
    """One signal found on one row of the export."""

    row: int
    platform: str
    account_id: str
    post_id: str
    hit: MatchHit


Where = tuple[pa.Array, pa.Array, pa.Array]
_WHERE_COLUMNS = ("platform", "account_id", "post_id")


@dataclass(frozen=True)
class ShippedHits:
    """A report's hits flattened for the trip from a worker process: row numbers, which answer each hit is,
    and the answers with their signals named by id. Where each row is (platform, account, post) stays behind:
    it is read back from the export if anyone asks."""

    rows: npt.NDArray[np.int64]
    refs: npt.NDArray[np.int64]
    answers: pa.Table
    bad_values: dict[str, int]


@dataclass(frozen=True)
class _Part:
    """Hits found together: absolute row numbers, where those rows are (``None``: not yet read), and which of
    the part's answers each hit is (answers as hits, or as a shipped table naming signals by id)."""

    rows: npt.NDArray[np.int64]
    refs: npt.NDArray[np.int64]
    where: Where | None
    answers: list[MatchHit] | pa.Table


@dataclass
class ScanReport:
    """What a scan read, found and skipped.

    Hits are kept column-wise as they are found (row numbers, where they are, and which look-up answer they
    are), so a scan with millions of hits makes no Python object per hit until someone asks for
    :attr:`hits`."""

    rows: int = 0
    bad_values: Counter[str] = field(default_factory=Counter)
    missing_columns: list[str] = field(default_factory=list)
    _parts: list[_Part] = field(default_factory=list)
    _extra: list[ScanHit] = field(default_factory=list)
    _materialised: list[ScanHit] | None = None
    #: Where shipped parts' rows are read back from, and how their signal ids become signals.
    _source: Path | None = None
    _signal: Callable[[str], Signal] | None = None
    #: Whether hits keep where their rows are (a worker whose hits are shipped does not: that is read back).
    keeps_where: bool = True

    def add(self, hit: ScanHit) -> None:
        """Record one hit found elsewhere (another engine's executors)."""
        self._extra.append(hit)
        self._materialised = None

    def add_many(
        self,
        rows: npt.NDArray[np.int64],
        where: Where | None,
        answers: list[MatchHit],
        refs: npt.NDArray[np.int64],
    ) -> None:
        """Record hits: row ``rows[i]``, at ``where`` (platform, account, post; ``None`` when the rows are to
        be read back from the export), hit ``answers[refs[i]]``."""
        self._parts.append(_Part(rows, refs, where, answers))
        self._materialised = None

    @property
    def hit_count(self) -> int:
        return sum(len(p.rows) for p in self._parts) + len(self._extra)

    @property
    def matched_rows(self) -> int:
        rows = [*(p.rows for p in self._parts), np.array([h.row for h in self._extra], dtype=np.int64)]
        return len(np.unique(np.concatenate(rows)))

    @property
    def hits(self) -> list[ScanHit]:
        """Every hit, in the order found."""
        if self._materialised is None:
            found: list[ScanHit] = []
            read_back = self._read_back()
            for part in self._parts:
                answers = part.answers if isinstance(part.answers, list) else self._hits_of(part.answers)
                platform, account, post = part.where or tuple(
                    pc.take(c, pa.array(part.rows)) for c in read_back
                )
                found.extend(
                    ScanHit(row, p or "", a or "", q or "", answers[ref])
                    for row, p, a, q, ref in zip(
                        part.rows.tolist(),
                        platform.to_pylist(),
                        account.to_pylist(),
                        post.to_pylist(),
                        part.refs.tolist(),
                        strict=True,
                    )
                )
            self._materialised = found + self._extra
        return self._materialised

    def _read_back(self) -> Where:
        if all(p.where is not None for p in self._parts):
            return (pa.array([]), pa.array([]), pa.array([]))
        import pyarrow.parquet as pq

        assert self._source is not None
        table = pq.read_table(self._source, columns=[c for c in _WHERE_COLUMNS if c in self._names()])
        columns = [
            pc.cast(table.column(c), pa.string()).combine_chunks()
            if c in table.column_names
            else pa.nulls(table.num_rows, pa.string())
            for c in _WHERE_COLUMNS
        ]
        return (columns[0], columns[1], columns[2])

    def _names(self) -> list[str]:
        import pyarrow.parquet as pq

        assert self._source is not None
        return list(pq.ParquetFile(self._source).schema_arrow.names)

    def _hits_of(self, answers: pa.Table) -> list[MatchHit]:
        assert self._signal is not None
        signal = self._signal
        columns = answers.to_pydict()
        return [
            MatchHit(signal(s), SignalKind(v), value, d, score)
            for s, v, value, d, score in zip(
                columns["signal_id"],
                columns["via"],
                columns["value"],
                columns["distance"],
                columns["score"],
                strict=True,
            )
        ]

    def portable(self) -> ShippedHits:
        """This report's hits (found in this process) as a few flat arrays, cheap to send between processes;
        :meth:`absorb_shipped` takes them in."""
        answers: list[MatchHit] = []
        refs: list[npt.NDArray[np.int64]] = []
        for part in self._parts:
            assert isinstance(part.answers, list)
            refs.append(part.refs + len(answers))
            answers.extend(part.answers)
        table = pa.table(
            {
                "signal_id": pa.array([a.signal.id for a in answers], pa.string()),
                "via": pa.array([a.via.value for a in answers], pa.string()),
                "value": pa.array([a.value for a in answers], pa.string()),
                "distance": pa.array([a.distance for a in answers], pa.float64()),
                "score": pa.array([a.score for a in answers], pa.float64()),
            }
        )
        return ShippedHits(
            _concat64([p.rows for p in self._parts]), _concat64(refs), table, dict(self.bad_values)
        )

    def absorb_shipped(self, shipped: ShippedHits, matcher: Matcher, *, source: Path, base: int) -> None:
        """Add hits shipped from another process (from a part of ``source`` whose first row is ``base``)."""
        if len(shipped.rows):
            self._parts.append(_Part(shipped.rows + base, shipped.refs, None, shipped.answers))
            self._source, self._signal = source, matcher.signal
        self.bad_values.update(shipped.bad_values)
        self._materialised = None

    def absorb(self, other: ScanReport, *, base: int) -> None:
        """Add the hits (of a batch whose first row is ``base``) and skipped values of ``other``."""
        self._parts.extend(_Part(p.rows + base, p.refs, p.where, p.answers) for p in other._parts)
        self.bad_values.update(other.bad_values)
        self._materialised = None

    def sort_hits(self) -> None:
        """Put the hits in row order (then signal, kind and value), as engines that run out of order need."""
        self._materialised = sorted(
            self.hits, key=lambda h: (h.row, h.hit.signal.id, h.hit.via.value, h.hit.value)
        )


def read_export(
    path: Path, batch_rows: int = BATCH_ROWS, columns: Sequence[str] = STRING_COLUMNS
) -> tuple[Iterator[pa.RecordBatch], int | None, list[str]]:
    """Batches of the export's ``columns`` it has (as text), the row count when known, and every column it
    has."""
    if not path.exists():
        raise ValidationError("input", f"{path} does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            file = pq.ParquetFile(path)
            names = file.schema_arrow.names
            wanted = [c for c in columns if c in names]
            return file.iter_batches(batch_size=batch_rows, columns=wanted), file.metadata.num_rows, names
        if suffix in (".csv", ".tsv", ".txt"):
            import pyarrow.csv as pacsv

            head = pacsv.open_csv(path).schema.names
            wanted = [c for c in columns if c in head]
            reader = pacsv.open_csv(
                path,
                read_options=pacsv.ReadOptions(block_size=1 << 24),
                parse_options=pacsv.ParseOptions(delimiter="\t" if suffix == ".tsv" else ","),
                convert_options=pacsv.ConvertOptions(
                    include_columns=wanted, column_types=dict.fromkeys(wanted, pa.string())
                ),
            )
            return iter(reader), None, head
    except (pa.ArrowInvalid, OSError) as exc:
        raise ValidationError("input", f"{path} is not a readable export: {exc}") from None
    raise ValidationError("input", f"{path}: expected a .parquet or .csv platform export")


def columns_for(kinds: frozenset[SignalKind]) -> list[str]:
    """The export columns a scan for signals of ``kinds`` reads: where a row is, and what can hit. The text
    column, the largest by far, is read only when there are text or phrase signals."""
    needed = {
        "handle": SignalKind.HANDLE in kinds,
        "urls": bool(kinds & {SignalKind.URL, SignalKind.DOMAIN, SignalKind.HANDLE}),
        "hashtags": SignalKind.HASHTAG in kinds,
        "image_pdq": SignalKind.PDQ in kinds,
        "text": bool(kinds & {SignalKind.TEXT, SignalKind.PHRASE}),
    }
    return [c for c in STRING_COLUMNS if needed.get(c, True)]


def missing_required(names: Sequence[str]) -> str | None:
    """The first required column an export with columns ``names`` lacks, if any."""
    return next((c for c in REQUIRED_COLUMNS if c not in names), None)


def scan_export(
    path: Path,
    matcher: Matcher,
    *,
    visible: Callable[[Signal], bool],
    now: datetime | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    batch_rows: int = BATCH_ROWS,
    account_hashers: Sequence[Callable[[str], str]] = (),
    workers: int = 1,
) -> ScanReport:
    """Match every row of the export at ``path`` against ``matcher``'s signals the caller may see.

    ``account_hashers`` turn ``platform:account_id`` into the keyed hashes ``account_id`` signals hold (one
    per forum key the member has); without them, account ids are not looked up. With ``workers`` above 1,
    batches are scanned by that many forked processes (where the platform can fork), which share the
    matcher's memory with this one, each reading its own row groups of a Parquet file; the hits and their
    order are the same."""
    columns = columns_for(matcher.kinds)
    batches, total, names = read_export(path, batch_rows, columns)
    missing = missing_required(names)
    if missing:
        have = ", ".join(names)
        raise ValidationError(missing, f"the export has no {missing!r} column (it has: {have})")
    report = ScanReport(missing_columns=[c for c in STRING_COLUMNS if c not in names])
    seen: dict[str, bool] = {}

    def allowed(signal: Signal) -> bool:
        if signal.id not in seen:
            seen[signal.id] = visible(signal)
        return seen[signal.id]

    job = _BatchJob(matcher, matcher.kinds, allowed, now, tuple(account_hashers))
    # Everything alive now (the matcher's signals and indexes above all) outlives the scan: keeping it out of
    # the garbage collector's sight saves the full collections that the scan's many small objects set off.
    gc.freeze()
    try:
        for found, rows in _scanned(path, batches, job, workers, batch_rows):
            if isinstance(found, ShippedHits):
                report.absorb_shipped(found, matcher, source=path, base=report.rows)
            else:
                report.absorb(found, base=report.rows)
            report.rows += rows
            if progress:
                progress(report.rows, total)
    except pa.ArrowInvalid as exc:
        raise ValidationError("input", f"{path}: unreadable at row {report.rows}: {exc}") from None
    finally:
        gc.unfreeze()
    return report


def _concat64(parts: list[npt.NDArray[np.int64]]) -> npt.NDArray[np.int64]:
    return np.concatenate(parts) if parts else np.empty(0, np.int64)


@dataclass(frozen=True)
class _BatchJob:
    matcher: Matcher
    kinds: frozenset[SignalKind]
    allowed: Callable[[Signal], bool]
    now: datetime | None
    account_hashers: tuple[Callable[[str], str], ...]
    keeps_where: bool = True

    def __call__(self, batch: pa.RecordBatch) -> tuple[ScanReport, int]:
        found = ScanReport(keeps_where=self.keeps_where)
        scan_batch(batch, found, self.matcher, self.kinds, self.allowed, self.now, self.account_hashers)
        return found, batch.num_rows


#: What forked scan workers run: the job and the file, set just before the pool forks. Children inherit them
#: (the matcher included), so only row-group numbers go to them and only flattened hits come back.
_FORKED: tuple[_BatchJob, Path, int] | None = None


def _scan_row_group(group: int) -> tuple[ShippedHits, int]:
    import pyarrow.parquet as pq

    assert _FORKED is not None
    job, path, batch_rows = _FORKED
    file = pq.ParquetFile(path)
    columns = columns_for(job.kinds)
    wanted = [c for c in columns if c in file.schema_arrow.names]
    found, rows = ScanReport(keeps_where=False), 0
    for batch in file.iter_batches(batch_size=batch_rows, row_groups=[group], columns=wanted):
        part, count = job(batch)
        found.absorb(part, base=rows)
        rows += count
    return found.portable(), rows


def _scanned(
    path: Path, batches: Iterator[pa.RecordBatch], job: _BatchJob, workers: int, batch_rows: int
) -> Iterator[tuple[ScanReport | ShippedHits, int]]:
    """The hits and row count of each part of the export, in file order: batch by batch here or, for a
    Parquet file of several row groups and ``workers`` above 1, row group by row group in forked workers
    that read the file themselves (sending them the rows would cost more than scanning them)."""
    groups = _row_groups(path) if workers > 1 and "fork" in multiprocessing.get_all_start_methods() else 0
    if groups < 2:
        yield from (job(batch) for batch in batches)
        return
    global _FORKED
    _FORKED = (replace(job, keeps_where=False), path, batch_rows)
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, groups)) as pool:
            yield from pool.imap(_scan_row_group, range(groups), chunksize=1)
    finally:
        _FORKED = None


def _row_groups(path: Path) -> int:
    if path.suffix.lower() not in (".parquet", ".pq"):
        return 0
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_row_groups)


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
            found = [_taken_array(columns, name, taken) for name in _WHERE_COLUMNS]
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

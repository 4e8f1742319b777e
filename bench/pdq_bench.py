"""PDQ matching: fimihub's PdqIndex beside faiss IndexBinaryFlat and python-threatexchange's PDQIndex.

    .venv/bin/python bench/pdq_bench.py --sizes 1000000 10000000 --queries 1000

Stored hashes are random 256-bit hashes (unrelated PDQ hashes sit about 128 bits apart). Half the queries are
near-duplicates of stored hashes with 0 to 40 bits flipped, so there are true hits on both sides of the
threshold; the other half are fresh hashes that match nothing. Every engine answers "all stored hashes within
31 bits" for the same queries. Truth is faiss IndexBinaryFlat's exhaustive range search (radius 32: faiss
counts distances strictly below the radius), checked against a plain numpy scan on the first queries.

- fimihub: ``PdqIndex.add_hashes`` on the (n, 32) byte matrix, then ``query_many`` on the hex queries (the
  public API, Hit objects included); single-threaded numpy.
- faiss: ``IndexBinaryFlat.add`` and one batched ``range_search``; OpenMP on every core.
- python-threatexchange: ``PDQIndex`` (faiss IndexBinaryMultiHash, 16 maps of 16 bits) built from hex
  strings and asked with ``query`` per hash, as its API offers.

Memory is the process's resident set (``/proc/self/status``): the index's size after building, and the peak
above the starting point while building and querying (the peak is reset before each engine). Results go to
the "PDQ matching" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from report import write_section
from threatexchange.signal_type.pdq.pdq_index import PDQIndex

from fimihub.matching.index.pdq import PdqIndex
from fimihub.sim.images import flip_bits, random_hashes, to_hex

SECTION = "## PDQ matching"
THRESHOLD = 31
READING = (
    "How to read it: fimihub's index is multi-index hashing (the 256 bits cut into chunks of about log2(n) "
    "bits, 11 chunks of 23-24 bits at 10M; pigeonhole probe radii; every candidate checked on all 256 bits), "
    "so a query touches a few thousand candidates where faiss IndexBinaryFlat scans every hash. It pays "
    "with memory (about 4x the flat index: bucket offsets and row orders per chunk) and a build of seconds "
    "instead of a copy. python-threatexchange's PDQIndex is faiss IndexBinaryMultiHash (16 maps of 16 "
    'bits, one bit flipped per map) built through Python objects per hash; "batched" asks that same index '
    "for all queries in one call through its faiss wrapper. Timings are from a shared machine and move "
    "between runs (python-threatexchange's per-query rate by up to 2x); the goal's margin is far wider."
)
#: (query number, stored id, distance) of every match.
Found = set[tuple[int, int, int]]


@dataclass
class Run:
    engine: str
    size: int
    build_s: float
    query_s: float
    queries: int
    index_mib: float
    peak_mib: float
    found: Found

    @property
    def qps(self) -> float:
        return self.queries / self.query_s


def make_data(size: int, queries: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    stored = random_hashes(rng, size)
    near = flip_bits(rng, stored[rng.integers(0, size, queries // 2)], 0, 40)
    return stored, np.concatenate([near, random_hashes(rng, queries - len(near))])


def _status(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")  # Linux: reset VmHWM, the peak resident set, to the current one
    except OSError:
        pass


def measure(
    size: int, queries: int, build: Callable[[], Any], asks: dict[str, Callable[[Any], Found]]
) -> list[Run]:
    """Build one index, then time each way of asking it; every row shares the build's time and memory."""
    gc.collect()
    _reset_peak()
    base = _status("VmRSS")
    start = time.perf_counter()
    index = build()
    build_s = time.perf_counter() - start
    index_mib = _status("VmRSS") - base
    runs = []
    for engine, ask in asks.items():
        start = time.perf_counter()
        found = ask(index)
        query_s = time.perf_counter() - start
        peak_mib = _status("VmHWM") - base
        rate = queries / query_s
        print(f"  {engine}: build {build_s:.1f} s, {rate:,.0f} queries/s, peak +{peak_mib:,.0f} MiB")
        runs.append(Run(engine, size, build_s, query_s, queries, index_mib, peak_mib, found))
    del index
    gc.collect()
    return runs


def numpy_scan(stored: np.ndarray, queries: np.ndarray) -> Found:
    found: Found = set()
    for q, query in enumerate(queries):
        distance = np.bitwise_count(stored ^ query).sum(axis=1, dtype=np.int32)
        found.update((q, int(i), int(distance[i])) for i in np.flatnonzero(distance <= THRESHOLD))
    return found


def run_size(size: int, queries: int, seed: int, with_threatexchange: bool) -> list[Run]:
    print(f"n = {size:,}")
    stored, asked = make_data(size, queries, seed)
    asked_hex = to_hex(asked).to_pylist()
    runs: list[Run] = []

    def fimihub_build() -> PdqIndex:
        index = PdqIndex(THRESHOLD)
        index.add_hashes(stored, np.arange(size))
        return index

    def fimihub_ask(index: PdqIndex) -> Found:
        answers = index.query_many(asked_hex)
        return {(q, hit.entry, int(hit.distance)) for q, hits in enumerate(answers) for hit in hits}

    def faiss_build() -> Any:
        index = faiss.IndexBinaryFlat(256)
        index.add(stored)
        return index

    def faiss_ask(index: Any) -> Found:
        limits, distances, ids = index.range_search(asked, THRESHOLD + 1)
        owner = np.repeat(np.arange(len(asked)), np.diff(limits).astype(np.int64))
        return set(zip(owner.tolist(), ids.tolist(), distances.tolist(), strict=True))

    runs += measure(size, queries, fimihub_build, {"fimihub PdqIndex": fimihub_ask})
    runs += measure(size, queries, faiss_build, {"faiss IndexBinaryFlat": faiss_ask})
    if with_threatexchange:
        stored_hex = to_hex(stored).to_pylist()

        def threatexchange_build() -> PDQIndex[int]:
            return PDQIndex(entries=zip(stored_hex, range(size), strict=True))

        def threatexchange_ask(index: PDQIndex[int]) -> Found:
            return {
                (q, match.metadata, int(match.similarity_info.distance))
                for q, value in enumerate(asked_hex)
                for match in index.query(value)
            }

        def threatexchange_batch(index: PDQIndex[int]) -> Found:
            # The faiss wrapper under PDQIndex answers a whole batch in one call.
            answers = index.index.search_with_distance_in_result(asked_hex, THRESHOLD)
            return {
                (q, index.local_id_to_entry[local][1], int(distance))
                for q, value in enumerate(asked_hex)
                for local, _, distance in answers[value]
            }

        runs += measure(
            size,
            queries,
            threatexchange_build,
            {
                "python-threatexchange PDQIndex": threatexchange_ask,
                "python-threatexchange, batched": threatexchange_batch,
            },
        )
        del stored_hex
    sample = min(queries, 100)
    checked = numpy_scan(stored, asked[:sample])
    if {f for f in runs[1].found if f[0] < sample} != checked:
        raise SystemExit(
            "faiss IndexBinaryFlat disagrees with a numpy scan: no truth to measure recall against"
        )
    return runs


def table(runs: list[Run]) -> list[str]:
    lines = [
        "| hashes | index | build (s) | queries/s | recall | false hits | index memory (MiB) | peak (MiB) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    truth = {r.size: r.found for r in runs if r.engine.startswith("faiss")}
    for r in runs:
        real = truth[r.size]
        recall = len(r.found & real) / len(real) if real else 1.0
        lines.append(
            f"| {r.size:,} | {r.engine} | {r.build_s:.1f} | {r.qps:,.0f} | {recall:.4f} "
            f"| {len(r.found - real)} | {r.index_mib:,.0f} | {r.peak_mib:,.0f} |"
        )
    return lines


def ratios(runs: list[Run]) -> list[str]:
    lines = []
    for size in sorted({r.size for r in runs}):
        by = {r.engine: r for r in runs if r.size == size}
        ours = by["fimihub PdqIndex"]
        parts = [f"{ours.qps / r.qps:.1f}x {r.engine}" for r in by.values() if r is not ours]
        lines.append(f"- {size:,} hashes: fimihub queries/s = " + ", ".join(parts) + ".")
    return lines


def goal(runs: list[Run]) -> str:
    """The design's goal at the largest size measured: recall 1.0 and at least 3x faiss flat's queries/s."""
    size = max(r.size for r in runs)
    by = {r.engine: r for r in runs if r.size == size}
    ours, flat = by["fimihub PdqIndex"], by["faiss IndexBinaryFlat"]
    speedup = ours.qps / flat.qps
    recall = len(ours.found & flat.found) / len(flat.found) if flat.found else 1.0
    met = recall == 1.0 and not ours.found - flat.found and speedup >= 3
    verdict = "met" if met else "NOT met"
    return (
        f"Goal at {size:,} hashes (recall 1.0, at least 3x faiss IndexBinaryFlat's queries/s): {verdict} "
        f"(recall {recall:.4f}, {speedup:.1f}x)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--threatexchange-max",
        type=int,
        default=10_000_000,
        help="largest size python-threatexchange's index is built at (its build is slow and memory-hungry)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
    )
    parser.add_argument("--no-write", action="store_true", help="print the section, leave docs alone")
    args = parser.parse_args()

    runs: list[Run] = []
    for size in args.sizes:
        runs += run_size(size, args.queries, args.seed, size <= args.threatexchange_max)
    sizes = " ".join(map(str, args.sizes))
    command = f".venv/bin/python bench/pdq_bench.py --sizes {sizes} --queries {args.queries}"
    truth = {r.size: len(r.found) for r in runs if r.engine.startswith("faiss")}
    section = "\n".join(
        [
            SECTION,
            "",
            f"Command: `{command}` (seed {args.seed}). "
            f"Machine: {os.cpu_count()} cores ({platform.machine()}), "
            f"Python {platform.python_version()}, numpy {np.__version__}, faiss {faiss.__version__} "
            f"({faiss.omp_get_max_threads()} OpenMP threads); fimihub runs on one thread.",
            "",
            f"Stored: random 256-bit hashes. Queries: {args.queries}, half near-duplicates of stored hashes "
            "(0-40 bits flipped), half fresh. Threshold: distance <= 31. True matches per size: "
            + ", ".join(f"{n:,}: {t:,}" for n, t in sorted(truth.items()))
            + ". Truth is faiss IndexBinaryFlat's exhaustive range search, checked against a numpy scan on "
            "the first 100 queries; recall and false hits compare (query, id, distance) triples.",
            "",
            *table(runs),
            "",
            *ratios(runs),
            "",
            goal(runs),
            "",
            READING,
            "",
        ]
    )
    print()
    print(section)
    if not args.no_write:
        write_section(args.out, SECTION, section)


if __name__ == "__main__":
    main()

"""Text near-duplicate matching: fimihub's TextIndex beside datasketch's MinHashLSH on the same data, one run.

    .venv/bin/python bench/text_bench.py --docs 100000 --queries 2000

The corpus mixes operation posts (a hook, three claims, a call, as the simulator writes them) with benign
chatter. Most queries are planted near-duplicates of corpus posts, lightly edited 0 to 10 times so that their
Jaccard similarity to the source spreads from 1 down to about 0.4; the rest are fresh operation posts, which
share claims with many corpus posts but copy none. Truth is the exact Jaccard similarity of word 3-shingle
sets, found for every query against the whole corpus by prefix filtering (exact for J >= 0.8). Both sides get
the same shingles (fimihub's normalisation), 128 permutations, and threshold 0.8; datasketch is used as its
documents show (``MinHash.bulk``, an insertion session, ``query`` per MinHash) and its candidates are taken
as they come. Results go to the "Text near-duplicate matching" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import datasketch
import numpy as np
from datasketch import MinHash, MinHashLSH
from report import write_section

from fimihub.matching import minhash
from fimihub.matching.index.text import TextIndex, candidate_probability
from fimihub.sim.narratives import NARRATIVES
from fimihub.sim.text import benign_texts, light_edit, operation_text
from fimihub.vocab.countries import EU

SECTION = "## Text near-duplicate matching"
EDITS = (0, 1, 2, 3, 4, 5, 6, 8, 10)
BUCKETS = ((0.8, 0.85), (0.85, 0.9), (0.9, 0.95), (0.95, 1.01))


def operation_post(rng: np.random.Generator, countries: list[str]) -> str:
    first = int(rng.integers(len(NARRATIVES)))
    narratives = [NARRATIVES[first], NARRATIVES[(first + 1 + int(rng.integers(3))) % len(NARRATIVES)]]
    return operation_text(rng, narratives, [countries[int(rng.integers(len(countries)))]])


def make_data(docs: int, queries: int, seed: int) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    countries = sorted(EU)
    operations = [operation_post(rng, countries) for _ in range(docs // 2)]
    corpus = operations + benign_texts(rng, docs - len(operations)).to_pylist()
    planted = int(queries * 0.8)
    sources = rng.integers(0, len(operations), planted)
    asked = [
        light_edit(operations[s], rng, EDITS[i % len(EDITS)]) if i % len(EDITS) else operations[s]
        for i, s in enumerate(sources.tolist())
    ]
    asked += [operation_post(rng, countries) for _ in range(queries - planted)]
    return corpus, asked


def shingle_sets(texts: list[str]) -> list[np.ndarray]:
    """Each text's distinct 64-bit shingle hashes, sorted (the exact sets, up to 64-bit hash collisions)."""
    hashes, offsets = minhash.shingle_hashes(texts)
    return [np.unique(hashes[offsets[i] : offsets[i + 1]]) for i in range(len(texts))]


def exact_truth(
    corpus_sets: list[np.ndarray], query_sets: list[np.ndarray], threshold: float
) -> set[tuple[int, int]]:
    """Every (query, doc) pair with exact Jaccard >= threshold, by prefix filtering: if J(q, d) >= t then d
    holds one of any |q| - ceil(t|q|) + 1 shingles of q, so q's rarest ones find every such d."""
    lengths = np.array([len(s) for s in corpus_sets])
    owner = np.repeat(np.arange(len(corpus_sets)), lengths)
    flat = np.concatenate(corpus_sets)
    order = np.argsort(flat, kind="stable")
    keys, docs = flat[order], owner[order]
    truth = set()
    for q, shingles in enumerate(query_sets):
        if not len(shingles):
            continue
        lo, hi = np.searchsorted(keys, shingles, "left"), np.searchsorted(keys, shingles, "right")
        rarest = np.argsort(hi - lo, kind="stable")[
            : len(shingles) - math.ceil(threshold * len(shingles)) + 1
        ]
        found = np.unique(np.concatenate([docs[lo[i] : hi[i]] for i in rarest]))
        for d in found.tolist():
            if jaccard(shingles, corpus_sets[d]) >= threshold:
                truth.add((q, d))
    return truth


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    both = len(np.intersect1d(a, b, assume_unique=True))
    return both / (len(a) + len(b) - both) if len(a) + len(b) else 0.0


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, float]:
    """``fn()`` and its best time of ``repeat`` runs (on a shared machine the best is the least disturbed)."""
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


def allocated(fn: Callable[[], Any]) -> int:
    """Bytes still allocated (traced by Python and numpy) after ``fn`` built its object."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = fn()
    size = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del kept
    return size


def datasketch_sign(texts: list[str]) -> list[MinHash]:
    shingled = []
    for text in texts:
        ws = minhash.words(text)
        shingled.append([" ".join(ws[i : i + 3]).encode() for i in range(len(ws) - 2)])
    signed: list[MinHash] = MinHash.bulk(shingled, num_perm=minhash.NUM_PERM)
    return signed


def datasketch_build(signed: list[MinHash], ids: list[int]) -> MinHashLSH:
    lsh = MinHashLSH(threshold=0.8, num_perm=minhash.NUM_PERM)
    with lsh.insertion_session() as session:
        for i, m in zip(ids, signed, strict=True):
            session.insert(i, m, check_duplication=False)
    return lsh


def ours_build(signatures: np.ndarray, ids: np.ndarray) -> TextIndex:
    index = TextIndex(0.8)
    index.add_signatures(signatures, ids)
    return index


def score(
    found: set[tuple[int, int]], truth: set[tuple[int, int]], exact: dict[tuple[int, int], float]
) -> dict[str, Any]:
    values = [exact[p] for p in found]
    row: dict[str, Any] = {
        "recall": len(found & truth) / len(truth) if truth else 1.0,
        "precision": len(found & truth) / len(found) if found else 1.0,
        "returned": len(found),
        "below_0_5": sum(v < 0.5 for v in values),
    }
    for lo, hi in BUCKETS:
        bucket = {p for p in truth if lo <= exact[p] < hi}
        row[f"recall {lo:.2f}-{min(hi, 1.0):.2f}"] = (
            len(found & bucket) / len(bucket) if bucket else float("nan")
        )
    return row


@dataclass
class Side:
    """One index's run: what it found, and seconds per phase (signing is timed apart from indexing)."""

    name: str
    found: set[tuple[int, int]]
    sign: float
    insert: float
    query_sign: float
    query: float
    memory: int = 0


def run_ours(indexed: list[str], ids: np.ndarray, queries: list[str], repeat: int) -> tuple[Side, TextIndex]:
    signed, sign = timed(lambda: minhash.signatures(indexed), repeat)
    index, insert = timed(lambda: ours_build(signed, ids), repeat)
    asked, query_sign = timed(lambda: minhash.signatures(queries), repeat)
    hits, query = timed(lambda: index.query_signatures(asked), repeat)
    found = {(q, h.entry) for q, found in enumerate(hits) for h in found}
    side = Side("fimihub TextIndex", found, sign, insert, query_sign, query)
    side.memory = allocated(lambda: ours_build(signed, ids))
    return side, index


def run_datasketch(
    indexed: list[str], ids: np.ndarray, queries: list[str], repeat: int
) -> tuple[Side, MinHashLSH]:
    signed, sign = timed(lambda: datasketch_sign(indexed), repeat)
    lsh, insert = timed(lambda: datasketch_build(signed, ids.tolist()), repeat)
    asked, query_sign = timed(lambda: datasketch_sign(queries), repeat)
    hits, query = timed(lambda: [lsh.query(m) if not m.is_empty() else [] for m in asked], repeat)
    found = {(q, int(d)) for q, keys in enumerate(hits) for d in keys}
    side = Side("datasketch MinHashLSH", found, sign, insert, query_sign, query)
    side.memory = allocated(lambda: datasketch_build(signed, ids.tolist()))
    return side, lsh


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
    )
    parser.add_argument("--no-write", action="store_true", help="print the section, leave docs alone")
    parser.add_argument("--repeat", type=int, default=3, help="timings per phase; the best is kept")
    args = parser.parse_args()

    corpus, queries = make_data(args.docs, args.queries, args.seed)
    corpus_sets, query_sets = shingle_sets(corpus), shingle_sets(queries)
    # Both sides index exactly the texts fimihub can sign (five words or more).
    ids = np.array([i for i, s in enumerate(corpus_sets) if len(s)], dtype=np.int64)
    indexed = [corpus[i] for i in ids.tolist()]
    truth = exact_truth(corpus_sets, query_sets, 0.8)
    ours, index = run_ours(indexed, ids, queries, args.repeat)
    theirs, lsh = run_datasketch(indexed, ids, queries, args.repeat)
    exact = {p: jaccard(query_sets[p[0]], corpus_sets[p[1]]) for p in ours.found | theirs.found | truth}

    n, q = len(indexed), len(queries)
    lines = [
        SECTION,
        "",
        f"Command: `.venv/bin/python bench/text_bench.py --docs {args.docs} --queries {args.queries}`"
        f" (seed {args.seed}). Machine: {os.cpu_count()} cores ({platform.machine()}), Python"
        f" {platform.python_version()}, numpy {np.__version__}, datasketch {datasketch.__version__};"
        f" both sides single-threaded; each phase timed {args.repeat} times, best kept.",
        "",
        f"Corpus: {n} signable posts of {args.docs} (half operation posts, half benign chatter; posts shorter"
        f" than five words are left out of both indexes). Queries: {q}, 80% planted light edits of corpus"
        f" posts, 20% fresh operation posts. True pairs (exact word-3-shingle Jaccard >= 0.8, against the"
        f" whole corpus): {len(truth)}. Both sides get the same shingles and 128 permutations, threshold 0.8."
        f" fimihub bands {index.bands} x {index.rows} rows and verifies candidates on the full signature"
        f" (>= {index.min_agreement}/128 agreeing, so it also returns pairs a little below 0.8: see"
        f" precision); datasketch picks {lsh.b} x {lsh.r} for 0.8 and returns its candidates unverified.",
        "",
        "| index | recall J>=0.8 | "
        + " | ".join(f"recall {lo:.2f}-{min(hi, 1.0):.2f}" for lo, hi in BUCKETS)
        + " | precision | pairs returned | returned J<0.5 | sign docs/s | insert docs/s"
        " | query docs/s (sign + query) | query only/s | index memory |",
        "|" + "---|" * (10 + len(BUCKETS)),
    ]
    for side in (ours, theirs):
        s = score(side.found, truth, exact)
        buckets = " | ".join(f"{s[f'recall {lo:.2f}-{min(hi, 1.0):.2f}']:.3f}" for lo, hi in BUCKETS)
        lines.append(
            f"| {side.name} | {s['recall']:.3f} | {buckets} | {s['precision']:.3f} | {s['returned']}"
            f" | {s['below_0_5']} | {n / side.sign:,.0f} | {n / side.insert:,.0f}"
            f" | {q / (side.query_sign + side.query):,.0f} | {q / side.query:,.0f}"
            f" | {side.memory / 2**20:.0f} MiB |"
        )
    ratio = {
        "sign": theirs.sign / ours.sign,
        "insert": theirs.insert / ours.insert,
        "query (sign + query)": (theirs.query_sign + theirs.query) / (ours.query_sign + ours.query),
        "query only": theirs.query / ours.query,
    }
    recall = score(ours.found, truth, exact)["recall"]
    verdict = "met" if recall >= 0.95 and min(ratio.values()) >= 1.0 else "NOT met"
    curve = [0.5, 0.6, 0.7, 0.8, 0.9]
    lines += [
        "",
        "Ratios fimihub / datasketch (speed, higher is better): "
        + ", ".join(f"{k} {v:.1f}x" for k, v in ratio.items())
        + f"; index memory {ours.memory / theirs.memory:.2f}x.",
        "",
        f"Goal (recall >= 0.95 at J >= 0.8, at no less than datasketch's speed): {verdict}.",
        "",
        "Why the recall differs: the chance that a pair of Jaccard J becomes a candidate (the S-curve),",
        "",
        "| J | " + " | ".join(f"{j:.1f}" for j in curve) + " |",
        "|---|" + "---|" * len(curve),
        f"| fimihub, {index.bands} x {index.rows} | "
        + " | ".join(f"{candidate_probability(j, index.bands, index.rows):.3f}" for j in curve)
        + " |",
        f"| datasketch, {lsh.b} x {lsh.r} | "
        + " | ".join(f"{candidate_probability(j, lsh.b, lsh.r):.3f}" for j in curve)
        + " |",
        "",
        "datasketch balances false positives against false negatives around the threshold, so it finds under"
        " half of the pairs at 0.8 to 0.85; fimihub bands for 0.99 recall at 0.8 and pays for the extra"
        " candidates with a vectorised check of the full signatures. Precision counts pairs returned with"
        " exact J >= 0.8; fimihub's verification floor sits three standard errors below 0.8, so its other"
        " hits are pairs at 0.7 to 0.8 (about three in four) or 0.6 to 0.7, each scored with its estimated J."
        " Sign rates include normalisation and shingling (the same code on both sides). Timings are from a"
        " shared machine and move by tens of percent between runs; the ratios hold.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        write_section(args.out, SECTION, text)


if __name__ == "__main__":
    main()

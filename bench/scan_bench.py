"""Scan throughput: rows per second of a simulated platform export against ~100k signals.

    .venv/bin/python bench/scan_bench.py --rows 10000000 --signals 100000

Builds a world with the simulator (streamed to Parquet), a matcher holding the operations' real domains, URLs,
hashtags and image hashes plus filler signals up to ``--signals``, then times :func:`scan_export` end to end
(reading the file included). There is no peer tool for this measurement; the goal is 500k rows/s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from fimihub.matching import new_matcher
from fimihub.matching.scan import scan_export
from fimihub.model import Signal
from fimihub.sim import WorldConfig, read_truth, write_world


def signals_for(truth_path: Path, total: int, seed: int) -> list[Signal]:
    truth = read_truth(truth_path)
    rng = random.Random(seed)
    found: list[Signal] = []

    def add(kind: str, value: str) -> None:
        found.append(Signal(id=f"signal--{len(found)}", owner_org="org", kind=kind, value=value))

    for op in truth.operations:
        for domain in op.domains:
            add("domain", domain)
        for tag in op.hashtags:
            add("hashtag", f"#{tag}")
        for image in op.image_hashes:
            add("pdq", image)
    kinds = ["domain", "hashtag", "pdq", "url"]
    while len(found) < total:
        kind = kinds[len(found) % 4]
        token = f"{rng.getrandbits(64):016x}"
        if kind == "domain":
            add(kind, f"filler-{token}.example")
        elif kind == "hashtag":
            add(kind, f"#filler{token}")
        elif kind == "pdq":
            add(kind, f"{rng.getrandbits(256):064x}")
        else:
            add(kind, f"https://filler-{token}.example/a/{token}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        written = write_world(WorldConfig.for_posts(args.rows, seed=args.seed), folder)
        print(f"world: {written} ({time.perf_counter() - started:.1f} s)")
        signals = signals_for(folder / "truth.json", args.signals, args.seed)
        started = time.perf_counter()
        matcher = new_matcher()
        matcher.add(signals)
        build = time.perf_counter() - started
        started = time.perf_counter()
        report = scan_export(folder / "posts.parquet", matcher, visible=lambda _signal: True)
        elapsed = time.perf_counter() - started
    result = {
        "rows": report.rows,
        "signals": len(matcher),
        "matcher_build_s": round(build, 2),
        "scan_s": round(elapsed, 2),
        "rows_per_s": round(report.rows / elapsed),
        "matched_rows": report.matched_rows,
        "hits": report.hit_count,
        "bad_values": dict(report.bad_values),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

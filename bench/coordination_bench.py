"""Co-action networks: our engine beside the QUT coordination-network-toolkit, on the same data, in one run.

    .venv/bin/python bench/coordination_bench.py --sizes 20000,100000,400000 --qut-max 400000 \\
        --big-actions 10000000

Inputs, each as a CooRTweet object table (``object_id, account_id, content_id, timestamp_share``):

- the real CooRTweet sample ``russian_coord_tweets.csv`` (35k retweets), read from ``../shared/data``;
- simulated worlds of growing size (``WorldConfig.for_posts``), whose posts become actions with
  :func:`actions_from_export` (every object kind: reposts, URLs, domains, hashtags, images, texts); each
  action is one row, its object written ``kind:id``.

Each side runs in a fresh process, timed end to end from the object table in memory to the edge list, and its
peak resident memory is read from the operating system (the toolkit's worker processes included). The toolkit
computes its co-retweet network (``preprocess`` into SQLite, then ``compute co_retweet``) with as many worker
processes as there are cores; ours computes ``coaction_edges(mode="actions")``, which has the toolkit's
directed weights, and the two edge sets are compared. Our default undirected network (``mode="objects"``) is
timed too. Finally our engine runs alone on about ``--big-actions`` action rows from a streamed world (object
kinds per chunk of posts, texts left out: the engine's input size is what is measured there).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import write_section

from fimihub.coordination import actions_from_export, actions_from_objects, detect_coaction
from fimihub.sim import WorldConfig, generate, iter_posts

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT.parent / "shared" / "data" / "coordination" / "russian_coord_tweets.csv"
HEADING = "## Co-action networks"


def _peak_mb() -> float:
    """This process's peak resident memory plus the largest of its finished children's (worker processes)."""
    with open("/proc/self/status", encoding="ascii") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024  # both in kilobytes on Linux


def run_side(side: str, source: Path, out: Path, window: int, min_weight: int) -> dict[str, object]:
    """One side on one input, in this (fresh) process; edges written to ``out`` as Parquet."""
    objects = pq.read_table(source)
    started = time.perf_counter()
    if side == "qut":
        from coordination_network_toolkit.compute_networks import compute_co_retweet_parallel
        from coordination_network_toolkit.preprocess import preprocess_data

        db = str(out.with_suffix(".db"))
        columns = [objects.column(c).to_pylist() for c in ("content_id", "account_id", "object_id")]
        stamps = objects.column("timestamp_share").to_pylist()
        messages: Iterator[tuple[object, ...]] = (
            (f"{content}:{obj}", account, account, obj, None, "", stamp, [])
            for content, account, obj, stamp in zip(*columns, stamps, strict=True)
        )
        preprocess_data(db, messages)
        loaded = time.perf_counter()
        compute_co_retweet_parallel(db, window, n_threads=os.cpu_count() or 1, min_edge_weight=min_weight)
        with sqlite3.connect(db) as connection:
            rows = connection.execute(
                "select user_1, user_2, weight from co_retweet_network where user_1 != user_2"
            ).fetchall()
        edges = pa.table(
            {
                "account_1": pa.array([str(r[0]) for r in rows], pa.string()),
                "account_2": pa.array([str(r[1]) for r in rows], pa.string()),
                "weight": pa.array([int(r[2]) for r in rows], pa.int64()),
            }
        )
        result: dict[str, object] = {"load_s": loaded - started}
    else:
        actions = actions_from_objects(objects).actions
        loaded = time.perf_counter()
        mode = "actions" if side == "ours" else "objects"
        found = detect_coaction(
            actions,
            window_s=window,
            min_weight=min_weight,
            mode=mode,  # type: ignore[arg-type]
        )
        edges = found.edges.select(["account_1", "account_2", "weight"])
        result = {"load_s": loaded - started, "pairs": found.pairs, "capped": found.capped.num_rows}
    elapsed = time.perf_counter() - started
    pq.write_table(edges, out)
    return {**result, "seconds": elapsed, "edges": edges.num_rows, "peak_mb": _peak_mb()}


def in_process(
    sides: list[str], source: Path, folder: Path, window: int, min_weight: int, repeat: int = 1
) -> dict[str, dict[str, object]]:
    """Each of ``sides`` run ``repeat`` times, each time in a fresh process, the sides taking turns (so that
    a burst of other work on the shared machine slows all of them alike). Per side: its fastest run, every
    run's seconds (``runs``) and the largest peak memory seen."""
    runs: dict[str, list[dict[str, object]]] = {side: [] for side in sides}
    for _ in range(max(repeat, 1)):
        for side in sides:
            out = folder / f"{side}-{source.stem}-{window}-{min_weight}.parquet"
            command = [sys.executable, __file__, "--side", side, "--input", str(source), "--out", str(out),
                       "--window", str(window), "--min-weight", str(min_weight)]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            runs[side].append({**json.loads(done.stdout.strip().splitlines()[-1]), "path": str(out)})
    results: dict[str, dict[str, object]] = {}
    for side, found in runs.items():
        result = dict(min(found, key=lambda r: float(r["seconds"])))  # type: ignore[arg-type]
        result["runs"] = [float(r["seconds"]) for r in found]  # type: ignore[arg-type]
        result["peak_mb"] = max(float(r["peak_mb"]) for r in found)  # type: ignore[arg-type]
        results[side] = result
    return results


def edge_set(path: object) -> set[tuple[str, str, int]]:
    table = pq.read_table(str(path))
    return set(zip(*(table.column(c).to_pylist() for c in ("account_1", "account_2", "weight")), strict=True))


def as_objects(actions: pa.Table) -> pa.Table:
    """Actions as a CooRTweet object table: one row per action, objects written ``kind:id``."""
    return pa.table(
        {
            "object_id": pc.binary_join_element_wise(actions["object_kind"], actions["object_id"], ":"),
            "account_id": actions["account"],
            "content_id": pa.array([str(i) for i in range(actions.num_rows)], pa.string()),
            "timestamp_share": pc.cast(actions["time"], pa.float64()),
        }
    )


def compare(
    name: str, source: Path, folder: Path, window: int, min_weight: int, qut: bool, repeat: int
) -> dict[str, object]:
    rows = pq.read_metadata(source).num_rows
    sides = ["ours", "objects", *(["qut"] if qut else [])]
    found = in_process(sides, source, folder, window, min_weight, repeat)
    ours = found["ours"]
    line: dict[str, object] = {"data": name, "rows": rows, "window": window, "min_weight": min_weight,
                               "ours": ours, "objects_mode": found["objects"]}  # fmt: skip
    if qut:
        theirs = found["qut"]
        line["qut"] = theirs
        line["same_edges"] = edge_set(ours["path"]) == edge_set(theirs["path"])
        line["ratio"] = float(theirs["seconds"]) / float(ours["seconds"])  # type: ignore[arg-type]
    print(json.dumps(line, default=str), flush=True)
    return line


def big_run(
    folder: Path, target: int, window: int, min_weight: int, seed: int, repeat: int
) -> dict[str, object]:
    """Our engine alone on about ``target`` action rows of a streamed simulated world."""
    parts: list[pa.Table] = []
    total = 0
    started = time.perf_counter()
    config = WorldConfig.for_posts(int(target / 1.4), seed=seed)
    for chunk in iter_posts(config):
        found = actions_from_export(chunk, kinds=["repost", "url", "domain", "hashtag", "image"]).actions
        parts.append(found)
        total += found.num_rows
        if total >= target:
            break
    actions = pa.concat_tables(parts)
    made = time.perf_counter() - started
    source = folder / "big.parquet"
    pq.write_table(as_objects(actions), source)
    del parts, actions
    line: dict[str, object] = {"data": "simulated (engine alone)", "rows": total, "actions_made_s": made}
    line.update(in_process(["ours", "objects"], source, folder, window, min_weight, repeat))
    print(json.dumps(line, default=str), flush=True)
    return line


def _seconds(side: object) -> str:
    """The fastest run, and the range of all runs when there were several."""
    if not isinstance(side, dict):
        return "—"
    runs = [float(r) for r in side.get("runs", [side["seconds"]])]
    best = f"{float(side['seconds']):.2f} s"
    return best if len(runs) < 2 else f"{best} ({min(runs):.2f} to {max(runs):.2f})"


def _memory(side: object) -> str:
    return f"{float(side['peak_mb']):.0f} MB" if isinstance(side, dict) else "—"


def render(lines: list[dict[str, object]], big: dict[str, object] | None, command: str, repeat: int) -> str:
    rows = []
    for line in lines:
        qut = line.get("qut")
        same_edges = line.get("same_edges")
        same = "not run" if same_edges is None else "yes" if same_edges else "**no**"
        ratio = f"{float(line['ratio']):.1f}x" if "ratio" in line else "—"  # type: ignore[arg-type]
        edges = line["ours"]["edges"]  # type: ignore[index]
        size = int(line["rows"])  # type: ignore[call-overload]
        rows.append(
            f"| {line['data']} | {size:,} | {line['window']} s / {line['min_weight']} | {edges:,} "
            f"| {same} | {_seconds(qut)} | {_seconds(line['ours'])} | {ratio} | {_memory(qut)} "
            f"| {_memory(line['ours'])} | {_seconds(line['objects_mode'])} |"
        )
    table = "\n".join(rows)
    big_text = ""
    if big is not None:
        big_text = (
            f"\nOur engine alone on {int(big['rows']):,} action rows (simulated, streamed; "  # type: ignore[call-overload]
            f"making the actions from the posts took {float(big['actions_made_s']):.0f} s and is not "  # type: ignore[arg-type]
            "counted; converting the object table is): "
            f'directed (`mode="actions"`) {_seconds(big["ours"])}, peak {_memory(big["ours"])}, '
            f'{int(big["ours"]["edges"]):,} edges; undirected (`mode="objects"`) '  # type: ignore[index]
            f"{_seconds(big['objects'])}, peak {_memory(big['objects'])}, "
            f"{int(big['objects']['edges']):,} edges.\n"  # type: ignore[index]
        )
    return f"""{HEADING}

Our co-action engine (`fimihub.coordination`) beside the QUT coordination-network-toolkit's co-retweet
network, on the same object tables, each side in a fresh process, timed from the table in memory to the edge
list (the toolkit's SQLite load included, and on our side the conversion of the object table into actions;
{os.cpu_count()} cores; the toolkit runs that many worker processes). "Same edges" compares the directed
`(account_1, account_2, weight)` sets of the toolkit and of our `mode="actions"`. Peak memory is the process's
peak resident set plus that of its largest worker process (an upper bound for the toolkit, whose forked
workers share pages with their parent). The last column is our default undirected network
(`mode="objects"`, distinct objects per pair). The machine is shared with other work, so each side runs
{repeat} times per case, each time in a fresh process, the sides taking turns: a time cell gives the fastest
run and, in brackets, the range of all runs; the speed-up is fastest over fastest and the peak the largest
seen.

```
{command}
```

| data | action rows | window / min weight | edges | same edges | QUT | ours | speed-up | QUT peak \
| our peak | ours, objects mode |
|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|
{table}
{big_text}
Goal (DESIGN.md): same edges, at least 10x faster than the toolkit, 10M action rows in under 60 s on 2 cores.
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="20000,100000,400000", help="simulated posts per world")
    parser.add_argument("--qut-max", type=int, default=400_000, help="largest world the toolkit is run on")
    parser.add_argument("--big-actions", type=int, default=10_000_000, help="0 to skip the engine-alone run")
    parser.add_argument("--window", type=int, default=600)
    parser.add_argument("--min-weight", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each side and case; the fastest counts"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument("--side", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        print(json.dumps(run_side(args.side, Path(args.input), Path(args.out), args.window, args.min_weight)))
        return
    command = "python bench/coordination_bench.py " + " ".join(sys.argv[1:])
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if DATASET.exists():
            source = folder / "russian_coord_tweets.parquet"
            strings = dict.fromkeys(("object_id", "account_id", "content_id"), pa.string())
            objects = pacsv.read_csv(DATASET, convert_options=pacsv.ConvertOptions(column_types=strings))
            pq.write_table(objects, source)
            for window, min_weight in ((60, 2), (3600, 1), (86400, 2)):
                name = "CooRTweet russian_coord_tweets"
                lines.append(compare(name, source, folder, window, min_weight, True, args.repeat))
        else:
            print(f"skipping the real data: {DATASET} not found", file=sys.stderr)
        for size in (int(s) for s in args.sizes.split(",") if s):
            world = generate(WorldConfig.for_posts(size, seed=args.seed))
            actions = actions_from_export(world.posts).actions
            source = folder / f"sim-{size}.parquet"
            pq.write_table(as_objects(actions), source)
            name = f"simulated, {world.posts.num_rows:,} posts"
            qut = size <= args.qut_max
            lines.append(compare(name, source, folder, args.window, args.min_weight, qut, args.repeat))
        big = (
            big_run(folder, args.big_actions, args.window, args.min_weight, args.seed, args.repeat)
            if args.big_actions
            else None
        )
    section = render(lines, big, command, args.repeat)
    print(section)
    if not args.no_write:
        write_section(ROOT / "docs" / "benchmarks.md", HEADING, section)


if __name__ == "__main__":
    main()

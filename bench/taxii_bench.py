"""TAXII 2.1 ingest and paging: ``fimihub serve`` beside OASIS medallion (memory backend), same objects.

    .venv/bin/python bench/taxii_bench.py --sizes 10000,100000

The servers run for real as processes of their own on loopback; the client is plain HTTP (``requests``), the
same for all. The objects are STIX 2.1 indicators of distinct domains marked TLP:GREEN, posted in envelopes
of ``--batch`` objects (a post answers once its objects are stored: no server leaves work pending). fimihub
stores every version with its governance and reads each indicator into a signal record of the forum in the
same transaction; medallion appends the object to a list in memory.

For each collection size the benchmark measures

- **ingest**: objects per second while the collection is filled to that size, and over the last
  ``--tail`` objects posted at that size (the rate a server keeps up once it holds that much);
- **first page**: the first page of ``--page`` objects, median of five requests;
- **deep page**: the last page. fimihub: its ``next`` cursor, got by following ``next`` from the first page
  to the end (cursors are stateless, so the same request is repeated); and ``added_after`` the last page's
  start, as for medallion, whose ``next`` is kept in its memory for 30 s. Median of five requests;
- **one-object post**: the median latency of ``--single`` posts of one new object each, once the collection
  holds that many: what each request costs, as a peer pushing a few objects at a time sees it.

A third server, the bare endpoint of ``bench/bare_taxii.py``, only writes what it is sent into SQLite (no
validation, governance or records); its ingest rate is what HTTP and a durable write leave on this machine
for a server's own work per object (``--no-bare`` leaves it out).

medallion checks each posted object against every object its collection holds, so filling it costs time
quadratic in its size; above ``--medallion-post-max`` objects its collection is loaded from its data file
when it starts, and only the last ``--tail`` objects are posted (ingest over the whole fill is then not
measured). With ``--pg URL`` (default: ``postgresql://postgres@127.0.0.1:5432/test`` when it answers),
fimihub also runs on PostgreSQL, in a schema of its own dropped afterwards; its tables are analyzed once a
collection is filled, before its pages are read, as autovacuum would (the PostgreSQL of CI runs without it).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from report import write_section

from fimihub import Hub, Settings
from tests import servers
from tests.servers import BIN, free_port, started, stop

ROOT = Path(__file__).resolve().parents[1]
HEADING = "## TAXII ingest and paging"
TAXII = "application/taxii+json;version=2.1"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
MEDALLION_COLLECTION = "472c94ae-3113-4e3e-a4dd-a9f4ac7471d4"
#: The reference row: a bare endpoint that only writes what it is sent (bench/bare_taxii.py).
BARE = "bare endpoint (reference)"


def indicators(start: int, count: int) -> list[dict[str, Any]]:
    """``count`` indicators, numbered from ``start`` (the same objects for every server)."""
    out = []
    for i in range(start, start + count):
        stamp = "2024-05-01T12:00:00.000Z"
        out.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, f'bench/{i}')}",
                "created": stamp,
                "modified": stamp,
                "name": f"influence network domain {i}",
                "pattern": f"[domain-name:value = 'site-{i}.example']",
                "pattern_type": "stix",
                "valid_from": stamp,
                "object_marking_refs": [GREEN],
            }
        )
    return out


@dataclass
class Server:
    """A running TAXII server: the collection's URL and how to sign in."""

    name: str
    collection: str
    auth: tuple[str, str]
    process: subprocess.Popen[bytes]
    cleanup: Callable[[], None] = field(default=lambda: None)
    #: Run once a collection is filled, before its pages are read (PostgreSQL: what autovacuum would do).
    settle: Callable[[], None] = field(default=lambda: None)

    def stop(self) -> None:
        stop(self.process, timeout=20)
        self.cleanup()


def start_fimihub(home: Path, db: str, pg: PgSchema | None = None) -> Server:
    with Hub.open(Settings(db=db)) as hub:
        op = hub.operator("bench")
        org = hub.admin.create_organisation(op, name="Platform A", kind="platform")
        forum = hub.admin.create_forum(op, name="Task-force", member_orgs=[org.id], default_tlp="green")
        member = hub.admin.create_member(op, org_id=org.id, name="sync service", roles=["analyst"])
        secret = hub.admin.issue_token(op, member.id).secret
    port = free_port()
    # No rate limit: medallion has none, and the benchmark measures the server's work, not its throttle.
    env = {
        **os.environ,
        "FIMIHUB_MAX_CONTENT_LENGTH": str(256 * 1024 * 1024),
        "FIMIHUB_LOG_LEVEL": "WARNING",
        "FIMIHUB_RATE_LIMIT_PER_MINUTE": "0",
    }
    command = [str(BIN / "fimihub"), "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port)]
    process = started(command, f"http://127.0.0.1:{port}/taxii2/", env, home / "serve.log", timeout=600)
    collection = f"http://127.0.0.1:{port}/taxii2/exchange/collections/{forum.id.removeprefix('forum--')}/"
    if pg is None:
        return Server("fimihub", collection, ("bench", secret), process)
    return Server("fimihub", collection, ("bench", secret), process, cleanup=pg.drop, settle=pg.analyze)


def start_medallion(home: Path, preload: list[dict[str, Any]]) -> Server:
    process, url = servers.start_medallion(
        home,
        collection=MEDALLION_COLLECTION,
        users={"user": "pass"},
        max_content_length=256 * 1024 * 1024,
        preload=preload,
        timeout=600,
    )
    root = url.removesuffix("taxii2/") + "api1/"
    return Server("medallion", f"{root}collections/{MEDALLION_COLLECTION}/", ("user", "pass"), process)


def start_bare(home: Path) -> Server:
    """The bare endpoint of ``bench/bare_taxii.py``: HTTP and a durable write, nothing else."""
    port = free_port()
    env = {**os.environ, "BARE_TAXII_DB": str(home / f"bare-{port}.db")}
    command = [str(BIN / "uvicorn"), "--app-dir", str(ROOT / "bench"), "bare_taxii:app", "--port", str(port)]
    command += ["--log-level", "warning"]
    process = started(command, f"http://127.0.0.1:{port}/", env, home / "bare.log")
    return Server(BARE, f"http://127.0.0.1:{port}/collection/", ("", ""), process)


@dataclass
class PgSchema:
    """A schema of its own on a PostgreSQL server, for one fimihub run."""

    base: str
    schema: str

    @property
    def url(self) -> str:
        sep = "&" if "?" in self.base else "?"
        return f"{self.base}{sep}options={quote(f'-csearch_path={self.schema}')}"

    def analyze(self) -> None:
        """Gather the planner's statistics of the schema's tables. The PostgreSQL of CI and of this
        benchmark runs with autovacuum off, so tables filled since it started were never analyzed; on a
        server with the default settings autovacuum does this within a minute of such a fill."""
        import psycopg

        with psycopg.connect(self.base, autocommit=True) as conn:
            tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (self.schema,))
            for (table,) in tables.fetchall():
                conn.execute(f'ANALYZE "{self.schema}"."{table}"')

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{self.schema}" CASCADE')


def pg_store(base: str) -> PgSchema | None:
    """A fresh schema on the PostgreSQL server at ``base``; ``None`` when it does not answer."""
    try:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except Exception:
        return None
    return PgSchema(base, schema)


class Client:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.session = requests.Session()
        self.session.auth = server.auth
        self.session.headers.update({"Accept": TAXII})
        #: How long a page request may take before it counts as "longer than this".
        self.patience = 600.0
        #: How many times each page request is repeated (the median is kept).
        self.repeat = 5
        #: The request_timestamp of each post, in order (medallion's date_added of its objects).
        self.stamps: list[str] = []

    def post(self, objects: list[dict[str, Any]]) -> None:
        response = self.session.post(
            self.server.collection + "objects/",
            data=json.dumps({"objects": objects}),
            headers={"Content-Type": TAXII},
            timeout=600,
        )
        response.raise_for_status()
        status = response.json()
        if status["status"] != "complete" or status["success_count"] != len(objects):
            raise RuntimeError(f"{self.server.name}: post not complete: {str(status)[:500]}")
        self.stamps.append(status["request_timestamp"])

    def get(self, params: dict[str, Any]) -> tuple[float, dict[str, Any], dict[str, str]]:
        began = time.perf_counter()
        try:
            response = self.session.get(
                self.server.collection + "objects/", params=params, timeout=self.patience
            )
        except requests.Timeout:
            return math.inf, {}, {}
        elapsed = time.perf_counter() - began
        response.raise_for_status()
        return elapsed, response.json(), dict(response.headers)


def median_of(request: Callable[[], float], times: int) -> float:
    first = request()
    if math.isinf(first):
        return first
    return statistics.median([first] + [request() for _ in range(times - 1)])


def fill(client: Client, start: int, stop: int, batch: int) -> float:
    """Post objects ``start``..``stop`` in envelopes of ``batch``; seconds taken."""
    began = time.perf_counter()
    for first in range(start, stop, batch):
        client.post(indicators(first, min(batch, stop - first)))
    return time.perf_counter() - began


def paging(client: Client, page: int, batch: int, *, follow_next: bool) -> dict[str, float]:
    """First and deep page latencies (seconds) of a collection of ``size`` objects."""
    out: dict[str, float] = {}
    out["first"] = median_of(lambda: client.get({"limit": page})[0], client.repeat)
    if follow_next:
        _, body, _ = client.get({"limit": page})
        cursor = None
        while body.get("more"):
            cursor = body["next"]
            _, body, _ = client.get({"limit": page, "next": cursor})
        out["deep_next"] = median_of(lambda: client.get({"limit": page, "next": cursor})[0], client.repeat)
    # The last page through added_after: after the post that precedes the last `page` objects.
    start = client.stamps[-(page // batch) - 1]
    out["deep_added_after"] = median_of(
        lambda: client.get({"limit": page, "added_after": start})[0], client.repeat
    )
    return out


def single_posts(client: Client, first: int, count: int) -> dict[str, float]:
    """Median latency (seconds) of posts of one object each, objects ``first``..``first + count - 1``: what a
    server costs per request, as a peer pushing a few new objects at a time sees it."""
    if count <= 0:
        return {}
    times = []
    for i in range(first, first + count):
        began = time.perf_counter()
        client.post(indicators(i, 1))
        times.append(time.perf_counter() - began)
    return {"single": statistics.median(times)}


def run_side(
    name: str, make: Callable[[list[dict[str, Any]]], Server], sizes: list[int], args: Any
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if name == "medallion":
        for size in sizes:
            posted_all = size <= args.medallion_post_max
            preload = [] if posted_all else indicators(0, size - args.tail)
            server = make(preload)
            try:
                client = Client(server)
                client.patience, client.repeat = args.medallion_patience, 1
                whole = fill(client, 0, size - args.tail, args.batch) if posted_all else None
                tail = fill(client, size - args.tail, size, args.batch)
                pages = paging(client, args.page, args.batch, follow_next=False)
                pages |= single_posts(client, size, args.single)
            finally:
                server.stop()
            rows.append(row(name, size, whole, tail, pages, args))
            print(rows[-1], flush=True)
        return rows
    server = make([])
    try:
        client = Client(server)
        filled = 0  # objects 0..filled-1 are in the collection
        spent = 0.0
        by_fill = 0  # of which posted in envelopes (the one-object posts are timed apart)
        for size in sizes:
            spent += fill(client, filled, size - args.tail, args.batch)
            tail = fill(client, size - args.tail, size, args.batch)
            spent += tail
            by_fill += size - filled
            server.settle()
            pages = {} if name == BARE else paging(client, args.page, args.batch, follow_next=True)
            # The next objects, one per post: the next size's fill goes on after them, so every collection
            # holds exactly its size when its pages are read.
            pages |= single_posts(client, size, args.single)
            filled = size + max(args.single, 0)
            rows.append(row(name, size, spent, tail, pages, args, whole_count=by_fill))
            print(rows[-1], flush=True)
    finally:
        server.stop()
    return rows


def row(
    name: str,
    size: int,
    whole: float | None,
    tail: float,
    pages: dict[str, float],
    args: Any,
    whole_count: int | None = None,
) -> dict[str, Any]:
    count = whole_count if whole_count is not None else size - args.tail
    return {
        "server": name,
        "size": size,
        "ingest_whole": count / whole if whole else None,
        "ingest_tail": args.tail / tail,
        "first_ms": pages["first"] * 1000 if "first" in pages else None,
        "deep_next_ms": pages["deep_next"] * 1000 if "deep_next" in pages else None,
        "deep_after_ms": pages["deep_added_after"] * 1000 if "deep_added_after" in pages else None,
        "single_ms": pages["single"] * 1000 if "single" in pages else None,
    }


_MEASURES = ("ingest_whole", "ingest_tail", "first_ms", "deep_next_ms", "deep_after_ms", "single_ms")


def combined(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per server and size: the median of its runs, with the range of each ingest rate."""
    runs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in rows:
        runs.setdefault((r["server"], r["size"]), []).append(r)
    out: list[dict[str, Any]] = []
    for (server, size), found in runs.items():
        merged: dict[str, Any] = {"server": server, "size": size, "runs": len(found)}
        for name in _MEASURES:
            values = [r[name] for r in found if r[name] is not None]
            merged[name] = statistics.median(values) if values else None
            merged[name + "_range"] = (min(values), max(values)) if len(values) > 1 else None
        out.append(merged)
    return out


def render(rows: list[dict[str, Any]], args: Any, command: str) -> str:
    def num(value: float | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        if math.isinf(value):
            return f"> {args.medallion_patience * 1000:,.0f}"
        return f"{value:,.{digits}f}"

    def spread(r: dict[str, Any], name: str) -> str:
        found = r.get(name + "_range")
        if found is None:
            return num(r[name])
        return f"{num(r[name])} ({num(found[0])} to {num(found[1])})"

    def ratio(ours: float, theirs: float) -> str:
        if math.isinf(theirs):
            return f"< {ours / (args.medallion_patience * 1000):.4f}x"
        value = ours / theirs
        return f"{value:.2f}x" if value >= 0.1 else f"{value:.2g}x"  # two digits that say something

    lines = [
        HEADING,
        "",
        f"Command: `{command}`. Machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}, medallion {medallion_version()}; every server a single process "
        f"on loopback, client `requests`. Objects: STIX 2.1 indicators of distinct domains, TLP:GREEN, "
        f"posted in envelopes of {args.batch}; pages of {args.page}. fimihub ran {args.runs} times, "
        f"medallion {args.medallion_runs}: each figure is the median of the runs, ingest rates with their "
        "range (lowest to highest) in brackets. fimihub's page latencies are medians of five "
        f"requests, medallion's one request each, given up after {args.medallion_patience:.0f} s. "
        f"One-object post: the median of {args.single} posts of one new object each, once the collection "
        "holds that many. "
        f"medallion's collection is posted in full up to {args.medallion_post_max:,} objects, above that "
        f"loaded from its data file and only the last {args.tail:,} posted."
        + (
            " The bare endpoint (`bench/bare_taxii.py`, run as often as fimihub) writes each object it is "
            "sent into SQLite and does nothing else: what HTTP and a durable write cost on this machine."
            if args.bare
            else ""
        ),
        "",
        "| server | objects | ingest obj/s (whole fill) | ingest obj/s (last "
        f"{args.tail:,}) | first page ms | deep page ms (`next`) | deep page ms (`added_after`) | "
        "one-object post ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['server']} | {r['size']:,} | {spread(r, 'ingest_whole')} | {spread(r, 'ingest_tail')} | "
            f"{num(r['first_ms'], 1)} | {num(r['deep_next_ms'], 1)} | {num(r['deep_after_ms'], 1)} | "
            f"{num(r['single_ms'], 1)} |"
        )
    lines += ["", "Ratios (each server / medallion; ingest: higher is better, latency: lower is better):", ""]
    lines.append(
        "| store | objects | ingest (last objects) | first page latency | deep page latency (`added_after`) "
        "| one-object post latency |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|")
    med = {r["size"]: r for r in rows if r["server"] == "medallion"}
    for r in rows:
        if r["server"] == "medallion" or r["size"] not in med:
            continue
        m = med[r["size"]]
        first = ratio(r["first_ms"], m["first_ms"]) if r["first_ms"] is not None else "—"
        deep = ratio(r["deep_after_ms"], m["deep_after_ms"]) if r["deep_after_ms"] is not None else "—"
        single = ratio(r["single_ms"], m["single_ms"]) if r["single_ms"] is not None else "—"
        rate = r["ingest_tail"] / m["ingest_tail"]
        lines.append(f"| {r['server']} | {r['size']:,} | {rate:.1f}x | {first} | {deep} | {single} |")
    return "\n".join(lines) + "\n"


def medallion_version() -> str:
    from importlib.metadata import version

    return version("medallion")


def one_run(sizes: list[int], args: Any, *, fimihub: bool, medallion: bool) -> list[dict[str, Any]]:
    """One run of the servers asked for, each from an empty store."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        if fimihub:
            found = run_side("fimihub", lambda _: start_fimihub(home, str(home / "hub.db")), sizes, args)
            rows += [{**r, "server": "fimihub (SQLite)"} for r in found]
        store = pg_store(args.pg) if fimihub and args.pg else None
        if fimihub and args.pg and store is None:
            print(f"PostgreSQL at {args.pg} does not answer: skipped", flush=True)
        if store is not None:
            found = run_side("fimihub", lambda _: start_fimihub(home, store.url, store), sizes, args)
            rows += [{**r, "server": "fimihub (PostgreSQL)"} for r in found]
        if fimihub and args.bare:
            rows += run_side(BARE, lambda _: start_bare(home), sizes, args)
        if medallion:
            rows += run_side("medallion", lambda preload: start_medallion(home, preload), sizes, args)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--tail", type=int, default=5000)
    parser.add_argument("--single", type=int, default=11, help="one-object posts timed at each size")
    parser.add_argument("--medallion-post-max", type=int, default=10000)
    parser.add_argument("--medallion-patience", type=float, default=120.0)
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL URL ('' to skip)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--no-bare", dest="bare", action="store_false", help="leave out the bare reference endpoint"
    )
    parser.add_argument("--runs", type=int, default=2, help="runs of each fimihub server (median and range)")
    parser.add_argument(
        "--medallion-runs", type=int, default=1, help="runs of medallion (its pages wait out the patience)"
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if any(b - a < args.tail + args.single for a, b in pairwise([0, *sizes])):
        parser.error("each size must exceed the one before it by at least --tail plus --single objects")
    command = ".venv/bin/python bench/taxii_bench.py " + " ".join(sys.argv[1:])
    rows: list[dict[str, Any]] = []
    for run in range(max(args.runs, args.medallion_runs)):
        rows += one_run(sizes, args, fimihub=run < args.runs, medallion=run < args.medallion_runs)
    text = render(combined(rows), args, command)
    print(text)
    if not args.no_write:
        write_section(args.out, HEADING, text)


if __name__ == "__main__":
    main()

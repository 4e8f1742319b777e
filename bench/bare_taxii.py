"""A bare TAXII Add Objects endpoint: the least a server does to take in objects durably over HTTP.

It reads the envelope, writes each object's id, version and JSON text into SQLite (WAL,
``synchronous=NORMAL``, as fimihub's embedded store) in one transaction, and answers a ``complete``
status. It validates nothing, governs nothing and reads no object into anything else.
``bench/taxii_bench.py`` runs it beside fimihub and medallion to show how much of an ingest rate HTTP and a
durable write leave for the work a server does per object.

    BARE_TAXII_DB=objects.db uvicorn --app-dir bench bare_taxii:app
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from datetime import UTC, datetime

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

TAXII = "application/taxii+json;version=2.1"

_db = sqlite3.connect(os.environ.get("BARE_TAXII_DB", ":memory:"), check_same_thread=False)
_db.execute("PRAGMA journal_mode=WAL")
_db.execute("PRAGMA synchronous=NORMAL")
_db.execute(
    "CREATE TABLE IF NOT EXISTS objects (added INTEGER PRIMARY KEY, id TEXT, version TEXT, body TEXT)"
)
_lock = threading.Lock()


async def add_objects(request: Request) -> Response:
    envelope = orjson.loads(await request.body())
    rows = [(o["id"], o.get("modified"), orjson.dumps(o).decode()) for o in envelope["objects"]]
    with _lock, _db:
        _db.executemany("INSERT INTO objects (id, version, body) VALUES (?, ?, ?)", rows)
    status = {
        "id": str(uuid.uuid4()),
        "status": "complete",
        "request_timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "total_count": len(rows),
        "success_count": len(rows),
        "failure_count": 0,
        "pending_count": 0,
    }
    return Response(orjson.dumps(status), media_type=TAXII)


app = Starlette(routes=[Route("/collection/objects/", add_objects, methods=["POST"])])

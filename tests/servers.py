"""Real servers on loopback for the interop and federation suites: ``fimihub serve`` and OASIS medallion."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

__all__ = ["BIN", "free_port", "medallion", "start_medallion", "started", "stop"]

#: Where this interpreter's console scripts (``fimihub``, ``medallion``) are.
BIN = Path(sys.executable).parent
_TAXII = "application/taxii+json;version=2.1"
_STIX = "application/stix+json;version=2.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def started(
    command: list[str], url: str, env: dict[str, str], log: Path, *, timeout: float = 60
) -> subprocess.Popen[bytes]:
    """Start a server and wait (up to ``timeout`` seconds) until it answers HTTP at ``url``."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            requests.get(url, timeout=1)
            return process
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"{command[0]} did not start: {log.read_text(errors='replace')[-2000:]}")


def stop(process: subprocess.Popen[bytes], *, timeout: float = 10) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_medallion(
    home: Path,
    *,
    collection: str,
    users: dict[str, str],
    max_content_length: int,
    preload: Sequence[dict[str, Any]] = (),
    timeout: float = 60,
) -> tuple[subprocess.Popen[bytes], str]:
    """Start OASIS medallion (memory backend) with one readable and writable collection holding ``preload``
    (added now); returns the process and its discovery URL (the API root is ``api1/`` beside it)."""
    port = free_port()
    root = f"http://127.0.0.1:{port}/api1/"
    added = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    manifest = [
        {"id": o["id"], "date_added": added, "version": o["modified"], "media_type": _STIX} for o in preload
    ]
    data = {
        "/discovery": {"title": "medallion", "default": root, "api_roots": [root]},
        "api1": {
            "information": {"title": "api1", "versions": [_TAXII], "max_content_length": max_content_length},
            "status": [],
            "collections": [
                {
                    "id": collection,
                    "title": "shared",
                    "can_read": True,
                    "can_write": True,
                    "media_types": [_STIX],
                    "objects": list(preload),
                    "manifest": manifest,
                }
            ],
        },
    }
    (home / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(home / "data.json"),
        },
        "users": users,
        "taxii": {"max_page_size": 1000},
    }
    (home / "config.json").write_text(json.dumps(config))
    command = [str(BIN / "medallion"), "--host", "127.0.0.1", "--port", str(port), str(home / "config.json")]
    url = f"http://127.0.0.1:{port}/taxii2/"
    return started(command, url, dict(os.environ), home / "medallion.log", timeout=timeout), url


@contextmanager
def medallion(
    home: Path, *, collection: str, users: dict[str, str], max_content_length: int
) -> Iterator[str]:
    """OASIS medallion (memory backend) with one empty collection, running while the block runs; yields its
    discovery URL."""
    process, url = start_medallion(
        home, collection=collection, users=users, max_content_length=max_content_length
    )
    try:
        yield url
    finally:
        stop(process)

"""Every module of fimihub: importing it does nothing but define things, and its ``__all__`` is in order.

Importing happens in a fresh interpreter, in an empty working directory with an empty home, so that no
earlier import (of this test run) hides what a module does when it is first imported: create files, open a
store, start threads, print or log.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import fimihub

ROOT = Path(fimihub.__file__).resolve().parent.parent
#: Modules that are scripts by design, run rather than imported: besides every ``__main__`` (``python -m``
#: runs the command), the migrations' environment, which Alembic runs to migrate the connection it is handed.
SCRIPTS = frozenset({"fimihub.storage.sql.migrations.env"})

#: Imports every module under fimihub (but scripts) and writes what it saw to the file named by argv[1]:
#: files created under the working directory or home, connections and engines opened, threads started,
#: import errors, and every ``__all__``.
_CHILD = r"""
import importlib, importlib.util, json, os, pkgutil, sqlite3, sys, threading, traceback

report_path, scripts = sys.argv[1], set(json.loads(sys.argv[2]))
watched = [os.getcwd(), os.environ["HOME"]]

def files():
    return sorted(os.path.join(d, f) for top in watched for d, _, names in os.walk(top) for f in names)

opened = []

def watch(what, real):
    def wrapper(*args, **kwargs):
        opened.append(f"{what}{args[:1]!r}")
        return real(*args, **kwargs)
    return wrapper

sqlite3.connect = watch("sqlite3.connect", sqlite3.connect)
import sqlalchemy, psycopg  # loaded before fimihub, so that fimihub binds the watched functions

sqlalchemy.create_engine = watch("sqlalchemy.create_engine", sqlalchemy.create_engine)
psycopg.connect = watch("psycopg.connect", psycopg.connect)
files_before, threads_before = files(), threading.active_count()

errors, names = {}, []
def failed(name):
    errors[name] = traceback.format_exc(limit=3)

path = importlib.util.find_spec("fimihub").submodule_search_locations
for info in [None, *pkgutil.walk_packages(path, "fimihub.", onerror=failed)]:
    name = "fimihub" if info is None else info.name
    if name in scripts or name.rpartition(".")[2] == "__main__":
        continue
    names.append(name)
    try:
        importlib.import_module(name)
    except BaseException:
        failed(name)

alls = {}
for name in names:
    module = sys.modules.get(name)
    exported = getattr(module, "__all__", None)
    if exported is not None:
        alls[name] = {"all": list(exported), "missing": [n for n in exported if not hasattr(module, n)]}
report = {
    "modules": names,
    "errors": errors,
    "new_files": sorted(set(files()) - set(files_before)),
    "opened": opened,
    "threads": [threads_before, threading.active_count(), [t.name for t in threading.enumerate()]],
    "alls": alls,
}
with open(report_path, "w", encoding="utf-8") as out:
    json.dump(report, out)
"""


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What importing every module in a fresh interpreter did."""
    base = tmp_path_factory.mktemp("imports")
    cwd, home, report = base / "cwd", base / "home", base / "report.json"
    cwd.mkdir()
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIMIHUB_")}
    paths = [str(ROOT), *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)]
    env |= {"HOME": str(home), "PYTHONPATH": os.pathsep.join(paths)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(report), json.dumps(sorted(SCRIPTS))],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    result["stdout"], result["stderr"] = done.stdout, done.stderr
    return result


def test_every_module_imports(imported: dict[str, Any]) -> None:
    assert imported["errors"] == {}
    assert len(imported["modules"]) > 100


def test_importing_creates_no_files(imported: dict[str, Any]) -> None:
    assert imported["new_files"] == []


def test_importing_opens_no_store(imported: dict[str, Any]) -> None:
    assert imported["opened"] == []


def test_importing_starts_no_threads(imported: dict[str, Any]) -> None:
    before, after, names = imported["threads"]
    assert after == before, names


def test_importing_prints_nothing(imported: dict[str, Any]) -> None:
    assert (imported["stdout"], imported["stderr"]) == ("", "")


def test_every_all_names_what_its_module_has(imported: dict[str, Any]) -> None:
    alls: dict[str, dict[str, list[str]]] = imported["alls"]
    assert {name: found["missing"] for name, found in alls.items() if found["missing"]} == {}


def test_every_all_is_sorted_without_repeats(imported: dict[str, Any]) -> None:
    alls: dict[str, dict[str, list[str]]] = imported["alls"]
    assert len(alls) > 50
    unsorted = {
        name: found["all"]
        for name, found in alls.items()
        if found["all"] != sorted(set(found["all"]), key=isort_key)
    }
    assert unsorted == {}


def isort_key(name: str) -> tuple[int, list[tuple[int, int | str]]]:
    """The order ruff's RUF022 keeps ``__all__`` in: constants (``SCREAMING_CASE``), then classes
    (``CamelCase``), then the rest; within each, a natural sort (``v2`` before ``v10``)."""
    if len(name) > 1 and name.upper() == name and name.lower() != name:
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    chunks = re.findall(r"\d+|\D+", name)
    return kind, [(0, int(c)) if c.isdigit() else (1, c) for c in chunks]


def test_the_sort_key_is_ruffs() -> None:
    names = ["parse", "Hub", "TLP_BY_MARKING_ID", "TLP1_MARKING_IDS", "v10", "v2", "T", "API_ROOT", "_x"]
    assert sorted(names, key=isort_key) == [
        "API_ROOT",
        "TLP1_MARKING_IDS",
        "TLP_BY_MARKING_ID",
        "Hub",
        "T",
        "_x",
        "parse",
        "v2",
        "v10",
    ]

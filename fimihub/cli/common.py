"""What every command shares: the root group, the ``--db`` option and opening a hub from it."""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import BaseModel

from fimihub import Hub, Settings, __version__
from fimihub.errors import StoreError

__all__ = [
    "DEMO_DB",
    "cli",
    "counting_bar",
    "db_option",
    "echo_json",
    "open_hub",
    "require_store",
    "sqlite_file",
]

#: Where ``fimihub demo`` keeps its hub unless told otherwise.
DEMO_DB = "fimihub-demo.db"

F = TypeVar("F", bound=Callable[..., Any])


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="fimihub")
def cli() -> None:
    """fimihub: exchange about covert influence operations, across platforms.

    Every command that touches a hub's store takes --db (a SQLite path or a PostgreSQL URL; default
    $FIMIHUB_DB, else ./fimihub.db). A SQLite store must exist: `fimihub db upgrade` makes a new one and
    `fimihub demo` a demo hub; the other commands refuse to work where there is no hub.
    """


def db_option(func: F) -> F:
    """The ``--db PATH|URL`` option of every command that reads or writes a store."""
    return click.option(
        "--db",
        "db",
        metavar="PATH|URL",
        default=None,
        help="SQLite path or PostgreSQL URL of the store (default: $FIMIHUB_DB, else ./fimihub.db).",
    )(func)


@contextmanager
def open_hub(db: str | None, *, create: bool = False, **settings: Any) -> Iterator[Hub]:
    """A hub over the store ``db`` names (migrated to the newest schema), closed afterwards.

    Every command that reads or uses a hub opens it here, and a SQLite store that does not exist is refused
    (:class:`StoreError`) rather than created empty: a mistyped ``--db`` would otherwise answer with an empty
    hub and leave a stray file behind. Only the commands meant to make a hub pass ``create``."""
    loaded = Settings.load(db=db, **settings)
    if not create:
        require_store(loaded, given=db)
    hub = Hub.open(loaded)
    try:
        yield hub
    finally:
        hub.close()


def sqlite_file(db: str) -> Path | None:
    """The file of the SQLite store ``db`` names (a path or a ``sqlite://`` URL); None for a store in memory
    or on a database server, which the driver reaches (or fails to) by itself."""
    if "://" not in db:
        return None if db == ":memory:" else Path(db).expanduser()
    scheme, rest = db.split("://", 1)
    if scheme.split("+", 1)[0] != "sqlite":
        return None
    name = rest.removeprefix("/").split("?", 1)[0]
    return None if name in ("", ":memory:") else Path(name).expanduser()


def require_store(settings: Settings, *, given: str | None) -> None:
    """Refuse (:class:`StoreError`) when ``settings.db`` names a SQLite store that does not exist; ``given``
    is the ``--db`` the command was called with (None: the store came from $FIMIHUB_DB, a settings file or
    the default), to say where the name came from."""
    path = sqlite_file(settings.db)
    if path is None or path.exists():
        return
    if given is not None:
        origin = ""
    elif os.environ.get("FIMIHUB_DB"):
        origin = " (from $FIMIHUB_DB)"
    elif settings.config_file:
        origin = f" (from {settings.config_file})"
    else:
        origin = " (the default: give --db PATH or set $FIMIHUB_DB for another)"
    hint = ""
    if Path(DEMO_DB).exists() and path.resolve() != Path(DEMO_DB).resolve():
        hint = f"\nThe demo's hub is in this folder: add --db {DEMO_DB}."
    raise StoreError(
        f"there is no hub at {settings.db}{origin}.\nMake a new, empty one with `fimihub db upgrade --db "
        f"{shlex.quote(settings.db)}`, or seed a demo hub with `fimihub demo` (in {DEMO_DB})." + hint
    )


def echo_json(data: Any) -> None:
    def default(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json")
        if isinstance(value, set | frozenset):
            return sorted(value)
        return str(value)

    click.echo(json.dumps(data, indent=2, default=default, ensure_ascii=False))


@contextmanager
def counting_bar(label: str, *, quiet: bool = False) -> Iterator[Callable[[int, int | None], None]]:
    """A progress bar counting rows (or tasks) up to a total that may be known only later; yields the
    ``progress(done, total)`` callback the hub's long use cases take. ``quiet`` hides it (``--json``)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), disable=quiet
    ) as bar:
        task = bar.add_task(label, total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield progress

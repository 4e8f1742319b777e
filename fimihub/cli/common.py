"""What every command shares: the root group, the ``--db`` option and opening a hub from it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from pydantic import BaseModel

from fimihub import Hub, Settings, __version__

__all__ = ["cli", "counting_bar", "db_option", "echo_json", "open_hub"]

F = TypeVar("F", bound=Callable[..., Any])


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="fimihub")
def cli() -> None:
    """fimihub: exchange about covert influence operations, across platforms.

    Every command that touches a hub's store takes --db (a SQLite path or a PostgreSQL URL; default
    $FIMIHUB_DB, else ./fimihub.db).
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
def open_hub(db: str | None, **settings: Any) -> Iterator[Hub]:
    """A hub over the store ``db`` names (migrated to the newest schema), closed afterwards."""
    hub = Hub.open(Settings.load(db=db, **settings))
    try:
        yield hub
    finally:
        hub.close()


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

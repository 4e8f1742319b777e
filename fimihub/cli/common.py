"""What every command shares: the root group, the ``--db`` option and opening a hub from it."""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from pydantic import BaseModel

from fimihub import Hub, Settings, __version__
from fimihub.errors import StoreError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = [
    "DEMO_DB",
    "EXISTING_FILE",
    "FILE",
    "cli",
    "counting_bar",
    "db_option",
    "echo_json",
    "echo_records",
    "hub_command",
    "json_option",
    "key_file_option",
    "member_option",
    "open_hub",
    "plural",
    "require_store",
    "sqlite_file",
    "step_bar",
    "summary_json",
]

#: Where ``fimihub demo`` keeps its hub unless told otherwise.
DEMO_DB = "fimihub-demo.db"

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")

#: A file to write (or to read, where the command says so); ``EXISTING_FILE`` one that must be there.
FILE = click.Path(dir_okay=False, path_type=Path)
EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


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


def json_option(help: str | None = None) -> Callable[[F], F]:
    """The ``--json`` flag (``as_json``) of a command that can print what it did as JSON."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def key_file_option(help: str) -> Callable[[F], F]:
    """The ``--key-file`` option: a file, which must exist, holding the private key the command uses."""
    return click.option("--key-file", required=True, type=EXISTING_FILE, help=help)


def member_option(help: str, *, required: bool = True) -> Callable[[F], F]:
    """The ``--member`` option (``member_id``) of a command run as a member; $FIMIHUB_MEMBER is its default,
    which its ``help`` goes on to say."""
    return click.option(
        "--member",
        "member_id",
        envvar="FIMIHUB_MEMBER",
        required=required,
        help=f"{help} (default: $FIMIHUB_MEMBER).",
    )


def hub_command(group: click.Group, name: str) -> Callable[[Callable[..., None]], click.Command]:
    """Make the function the command ``name`` of ``group``, over the hub that ``--db`` names: the hub is
    opened (:func:`open_hub`) before the function runs, handed to it in place of ``db`` as its first
    argument, and closed afterwards. A command that checks its input before it opens the hub takes
    :func:`db_option` and opens the hub itself."""

    def register(func: Callable[..., None]) -> click.Command:
        def with_hub(db: str | None, **params: Any) -> None:
            with open_hub(db) as hub:
                func(hub, **params)

        command = group.command(name)(db_option(func))
        command.callback = with_hub
        return command

    return register


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


def echo_records(
    records: Iterable[R],
    as_json: bool,
    cells: Callable[[R], Iterable[object]],
    *,
    to_json: Callable[[R], Any] | None = None,
) -> None:
    """Print records: with ``as_json`` as one JSON list (of what ``to_json`` makes of each, else of the
    records as they are), else one line each, its ``cells`` separated by tabs."""
    if as_json:
        echo_json([to_json(r) for r in records] if to_json else list(records))
        return
    for record in records:
        click.echo("\t".join(str(cell) for cell in cells(record)))


def summary_json(summary: Any, **forms: Any) -> dict[str, Any]:
    """A summary (a dataclass) as ``--json`` prints it: its fields by name, in their order; ``forms`` gives
    some of them another form (a table as its number of rows, say)."""
    return {field.name: getattr(summary, field.name) for field in dataclasses.fields(summary)} | forms


@contextmanager
def counting_bar(
    label: str, *, quiet: bool = False, remaining: bool = False
) -> Iterator[Callable[[int, int | None], None]]:
    """A progress bar counting rows (or tasks) up to a total that may be known only later; yields the
    ``progress(done, total)`` callback the hub's long use cases take. ``quiet`` hides it (``--json``);
    ``remaining`` shows the time left rather than the time taken."""
    with _bar(label, quiet=quiet, remaining=remaining) as (bar, task):

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield progress


@contextmanager
def step_bar(steps: Sequence[str], *, quiet: bool = False) -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar through named ``steps``, the one under way named; yields the ``progress(step, done,
    total)`` callback of a use case that reports its steps. ``quiet`` hides it (``--json``)."""
    with _bar("{task.description:<12}", quiet=quiet, description=steps[0], total=len(steps)) as (bar, task):

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done)

        yield progress


@contextmanager
def _bar(
    text: str,
    *,
    quiet: bool,
    remaining: bool = False,
    description: str | None = None,
    total: int | None = None,
) -> Iterator[tuple[Progress, TaskID]]:
    """The bar the CLI shows: ``text`` (a format of the task), the bar, done of total, and the time taken or
    left; with the one task it shows."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    clock = TimeRemainingColumn() if remaining else TimeElapsedColumn()
    with Progress(TextColumn(text), BarColumn(), MofNCompleteColumn(), clock, disable=quiet) as bar:
        yield bar, bar.add_task(text if description is None else description, total=total)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word`` in the right number: ``1 edge``, ``2 edges``, ``1,024 communities``."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"

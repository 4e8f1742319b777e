"""A command that reads or uses a hub never creates an empty store: where there is none, it says so and how to
make one. Only ``db upgrade`` and ``demo`` make a hub; commands that need none (``coordination detect``,
``resurgence scan --disrupted``) open none and make none."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import click
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from fimihub import Hub, policy
from fimihub.cli import cli, main
from fimihub.cli.common import sqlite_file
from fimihub.hub.anchors import new_key_files

#: The commands meant to make a hub where there is none.
CREATORS = {"db upgrade", "demo"}
#: What some commands need, besides placeholders for their required parameters, to reach the hub.
EXTRA = {
    "org identifier-key": ["--public-key", "x"],
    "matches open": ["--member", "member--x"],
    "resurgence scan": ["--member", "member--x"],
    "privacy subject rectify": ["--set", "title=x"],
    "report text": ["--text", "x"],
    "review decide": ["--confirm"],
}
#: Placeholders of the right shape, for parameters checked before the hub is opened.
PLACEHOLDERS = {
    "api_root": "https://hub.example/taxii2/api/",
    "collections": "x=forum--x",
    "owner_org": "organisation--x",
    "org_id": "organisation--x",
    "member_id": "member--x",
}


def _commands(command: click.Command, path: list[str]) -> Iterator[tuple[str, click.Command]]:
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, [*path, name])
    else:
        yield " ".join(path), command


HUB_COMMANDS = sorted(
    name
    for name, command in _commands(cli, [])
    if name not in CREATORS and any(param.name == "db" for param in command.params)
)


def _argv(name: str, folder: Path) -> list[str]:
    """``name`` with a placeholder for each required parameter."""
    command = dict(_commands(cli, []))[name]
    existing = folder / "placeholder.txt"
    existing.write_text("x\n")
    argv = name.split()
    for param in command.params:
        if not param.required:
            continue
        if name == "audit anchor" and param.name == "key_file":
            new_key_files(folder / "anchor.key", folder / "anchor.pub")
            value = str(folder / "anchor.key")
        elif name == "matches open" and param.name == "key_file":
            (folder / "identifier.key").write_text(policy.new_identifier_key().private_key)
            value = str(folder / "identifier.key")
        elif param.name in PLACEHOLDERS:
            value = PLACEHOLDERS[param.name]
        elif isinstance(param.type, click.Choice):
            value = str(param.type.choices[0])
        elif isinstance(param.type, click.Path):
            value = str(existing)
        else:
            value = "x"
        argv += [value] if isinstance(param, click.Argument) else [param.opts[0], value]
    return argv + EXTRA.get(name, [])


@pytest.fixture
def empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("FIMIHUB_DB", "FIMIHUB_CONFIG", "FIMIHUB_MEMBER"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_every_hub_command_is_covered() -> None:
    assert {"org list", "org add", "serve", "scan", "resurgence scan", "audit verify"} <= set(HUB_COMMANDS)
    assert not {"sim generate", "pdq hash", "coordination detect"} & set(HUB_COMMANDS)


@pytest.mark.parametrize("name", HUB_COMMANDS)
def test_a_command_refuses_a_hub_that_does_not_exist(
    name: str, empty_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_argv(name, empty_folder))
    err = capsys.readouterr().err
    assert code == 8, err  # StoreError
    assert "there is no hub at fimihub.db (the default" in err
    assert "fimihub db upgrade --db fimihub.db" in err and "fimihub demo" in err
    assert not (empty_folder / "fimihub.db").exists()


def test_the_message_names_the_store_asked_for(
    empty_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["org", "list", "--db", "my hub.db"]) == 8
    err = capsys.readouterr().err
    assert "no hub at my hub.db." in err and "fimihub db upgrade --db 'my hub.db'" in err
    (empty_folder / "fimihub-demo.db").touch()
    assert main(["member", "list"]) == 8
    assert "add --db fimihub-demo.db" in capsys.readouterr().err
    assert not (empty_folder / "my hub.db").exists() and not (empty_folder / "fimihub.db").exists()


def test_db_upgrade_makes_the_hub_the_others_then_use(
    empty_folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIMIHUB_DB", str(empty_folder / "env.db"))
    assert main(["org", "list"]) == 8
    assert "(from $FIMIHUB_DB)" in capsys.readouterr().err
    assert main(["db", "upgrade"]) == 0
    assert main(["org", "add", "Platform A", "--kind", "platform"]) == 0
    capsys.readouterr()
    assert main(["org", "list"]) == 0
    assert "Platform A" in capsys.readouterr().out


def test_commands_that_need_no_hub_make_none(empty_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sim", "generate", "--seed", "1", "--scale", "0.05", "--out", "world"]) == 0
    assert main(["audit", "keygen", "--key-file", "anchor.key", "--public-key", "anchor.pub"]) == 0
    capsys.readouterr()
    assert main(["pdq", "hash", "world/truth.json"]) == 2  # not an image: refused, and no store either
    assert not list(empty_folder.glob("*.db*"))


def test_detection_and_scans_of_ones_own_files_open_no_hub(
    empty_folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("no hub is to be opened")

    monkeypatch.setattr(Hub, "open", refused)
    monkeypatch.setenv("FIMIHUB_DB", str(empty_folder / "nowhere.db"))
    assert main(["sim", "generate", "--seed", "1", "--scale", "0.3", "--out", "world"]) == 0
    posts = pq.read_table("world/posts.parquet")
    pq.write_table(posts.filter(pc.not_equal(posts.column("operation"), "")), "removed.parquet")
    capsys.readouterr()
    assert main(["coordination", "detect", "world/posts.parquet", "--out", "edges.csv", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["edges"] > 0
    argv = ["resurgence", "scan", "world/posts.parquet", "--disrupted", "removed.parquet", "--json"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["queued"] == 0
    # Without --disrupted, a resurgence scan needs a member, and a hub.
    assert main(["resurgence", "scan", "world/posts.parquet"]) == 2
    assert "--member" in capsys.readouterr().err
    assert not list(empty_folder.glob("*.db*"))


@pytest.mark.parametrize(
    ("db", "file"),
    [
        ("hub.db", "hub.db"),
        ("~/hub.db", str(Path("~/hub.db").expanduser())),
        ("sqlite:///hub.db", "hub.db"),
        ("sqlite+pysqlite:////var/hub.db?timeout=5", "/var/hub.db"),
        ("sqlite://", None),
        (":memory:", None),
        ("sqlite:///:memory:", None),
        ("postgresql://fimihub@db.internal/fimihub", None),
        ("postgres://db.internal/hub.db", None),
    ],
)
def test_which_stores_are_files(db: str, file: str | None) -> None:
    assert sqlite_file(db) == (Path(file) if file else None)

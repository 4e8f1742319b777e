"""The documentation is tested: the CLI reference matches the commands, every setting is documented."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from fimihub import Settings
from fimihub.cli.reference import reference

ROOT = Path(__file__).parent.parent


def test_cli_reference_is_current() -> None:
    written = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == reference(), "docs/cli.md is stale: run `python -m fimihub.cli.reference > docs/cli.md`"


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    names = [f.name for f in fields(Settings) if f.name != "config_file"]
    missing = [n for n in names if f"FIMIHUB_{n.upper()}" not in text]
    assert missing == []
    assert "FIMIHUB_CONFIG" in text


def test_readme_opens_with_the_two_commands() -> None:
    opening = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:15])
    assert "make demo" in opening and "make test" in opening

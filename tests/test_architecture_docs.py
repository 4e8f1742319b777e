"""docs/architecture.md's walkthroughs and tables name real code: every dotted ``fimihub.…`` name it cites
resolves to a module, class, function or attribute, and every service it lists is one the hub builds."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from fimihub import Hub, Settings
from fimihub.storage import open_store

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
TEXT = DOC.read_text(encoding="utf-8")
DOTTED = sorted(set(re.findall(r"`(fimihub(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`", TEXT)))
SERVICES = sorted(set(re.findall(r"^\| `hub\.([a-z_]+)` \|", TEXT, flags=re.MULTILINE)))


def resolve(name: str) -> object:
    """The object a dotted name stands for: the longest importable module, then attributes."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(name)


def test_the_walkthroughs_cite_names() -> None:
    # Guards against a regex that finds nothing and so checks nothing.
    assert len(DOTTED) >= 30
    assert "## Life of" in TEXT


@pytest.mark.parametrize("name", DOTTED)
def test_every_cited_name_exists(name: str) -> None:
    resolve(name)


def test_every_listed_service_is_built_by_the_hub(tmp_path: Path) -> None:
    assert len(SERVICES) >= 15
    settings = Settings(db=str(tmp_path / "hub.db"))
    with Hub(open_store(settings.db), settings) as hub:
        missing = [s for s in SERVICES if not hasattr(hub, s)]
    assert not missing, f"docs/architecture.md lists services the hub does not build: {missing}"


def test_hub_is_composed_not_mixed_in() -> None:
    assert Hub.__mro__ == (Hub, object)

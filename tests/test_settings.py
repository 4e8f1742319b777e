"""Settings come from defaults, a TOML file, the environment and keyword overrides, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from fimihub import Settings, ValidationError
from fimihub.settings import database_url


def test_defaults() -> None:
    s = Settings()
    assert s.db == "fimihub.db" and s.port == 8000


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "hub.toml"
    config.write_text('[fimihub]\nport = 9000\nhub_name = "from-file"\nlog_level = "DEBUG"\n')
    monkeypatch.setenv("FIMIHUB_PORT", "9100")
    monkeypatch.setenv("FIMIHUB_CONFIG", str(config))
    s = Settings.load(hub_name=None, log_level="WARNING")
    assert s.port == 9100  # environment beats file
    assert s.hub_name == "from-file"  # file beats default; None override ignored
    assert s.log_level == "WARNING"  # keyword beats everything


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"port": "eighty"}, "port"),
        ({"port": 70000}, "port"),
        ({"colour": "blue"}, "colour"),
        ({"max_content_length": 0}, "max_content_length"),
    ],
)
def test_bad_values_name_the_setting(values: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Settings.from_mapping(values)
    assert exc.value.field == field


def test_bad_toml_is_reported(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("port = = 1")
    with pytest.raises(ValidationError) as exc:
        Settings.load(config_file=config)
    assert exc.value.field == "config_file"
    with pytest.raises(ValidationError):
        Settings.load(config_file=tmp_path / "missing.toml")


def test_database_urls(tmp_path: Path) -> None:
    assert database_url(str(tmp_path / "h.db")) == f"sqlite:///{tmp_path / 'h.db'}"
    assert database_url(":memory:") == "sqlite://"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"

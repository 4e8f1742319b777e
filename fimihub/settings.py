"""Settings, read from ``FIMIHUB_*`` environment variables and an optional TOML file.

Precedence, highest first: keyword arguments, environment, the TOML file named by ``FIMIHUB_CONFIG``
(or passed as ``config_file``), the defaults below. Reading happens only in :meth:`Settings.load`, never
at import.

Every field is documented here and in ``docs/configuration.md``; ``tests/test_docs.py`` keeps the two in step.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from fimihub.errors import ValidationError

__all__ = ["Settings", "at_rest_key_file", "database_url"]

ENV_PREFIX = "FIMIHUB_"


@dataclass(frozen=True, slots=True)
class Settings:
    """How a hub is configured. All fields have working defaults for a local, embedded hub."""

    #: SQLite path or SQLAlchemy URL (``postgresql://…``). A bare path means an embedded SQLite store.
    db: str = "fimihub.db"
    #: Interface and port ``fimihub serve`` binds to.
    host: str = "127.0.0.1"
    port: int = 8000
    #: Name this hub gives itself in TAXII discovery and in audit events.
    hub_name: str = "fimihub"
    #: Largest request body the HTTP edge accepts, in bytes (TAXII ``max_content_length``).
    max_content_length: int = 10 * 1024 * 1024
    #: Most objects (or manifest entries, or versions) one TAXII page holds; also the page size when a client
    #: asks for none.
    taxii_page_size: int = 1000
    #: Days a new API token lives when no expiry is given.
    token_ttl_days: int = 90
    #: The longest lifetime a token may be issued with, in days.
    token_max_ttl_days: int = 365
    #: Requests a minute one credential (an API token, or a client address without one) may send to the API
    #: and TAXII, with bursts of half that; a client address as a whole may send four times as many. 0: no
    #: limit.
    rate_limit_per_minute: int = 3000
    #: Days a record lives when neither it nor its forum sets a retention period.
    default_retention_days: int = 365
    #: Hours between the retention runs ``fimihub serve`` makes by itself (the first at start); 0: none.
    retention_interval_hours: int = 24
    #: Seconds between the syncs with every configured peer that ``fimihub serve`` makes by itself (the first
    #: at start), so that what is shared, retracted or corrected here reaches the peers this hub pushes to,
    #: and what peers publish arrives, within that time; 0: only ``fimihub peer sync`` syncs.
    sync_interval_seconds: int = 900
    #: The file holding the key the store seals its secrets with at rest (forum keys, the hub's signing key,
    #: peers' credentials, asset account ids); created when missing. Default: the SQLite file's path with
    #: ``.key`` added, or ``fimihub.key`` in the working directory for a server database. Keep it apart from
    #: the database's backups.
    key_file: str | None = None
    #: Log level of the server and CLI.
    log_level: str = "INFO"
    #: Where the optional TOML file was read from (informational).
    config_file: str | None = field(default=None, compare=False)

    @classmethod
    def load(cls, config_file: str | os.PathLike[str] | None = None, **overrides: Any) -> Settings:
        """Build settings from defaults, the TOML file, the environment and ``overrides``, in that order."""
        values: dict[str, Any] = {}
        path = config_file or os.environ.get(ENV_PREFIX + "CONFIG")
        if path:
            values.update(_read_toml(Path(path)))
            values["config_file"] = str(path)
        values.update(_read_env(os.environ))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_mapping(values)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Settings:
        """Build settings from a mapping of field names to values (strings are converted)."""
        known = {f.name: f for f in fields(cls)}
        converted: dict[str, Any] = {}
        for name, value in values.items():
            if name not in known:
                raise ValidationError(name, "unknown setting")
            converted[name] = _convert(name, known[name].type, value)
        settings = cls(**converted)
        settings._check()
        return settings

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the store."""
        return database_url(self.db)

    def _check(self) -> None:
        if not 0 < self.port < 65536:
            raise ValidationError("port", f"must be between 1 and 65535, got {self.port}")
        for name in ("max_content_length", "taxii_page_size", "token_ttl_days", "default_retention_days"):
            if getattr(self, name) <= 0:
                raise ValidationError(name, "must be positive")
        if self.retention_interval_hours < 0:
            raise ValidationError(
                "retention_interval_hours", "must be 0 (no scheduled retention) or positive"
            )
        if self.sync_interval_seconds < 0:
            raise ValidationError("sync_interval_seconds", "must be 0 (no scheduled sync) or positive")
        if self.rate_limit_per_minute < 0:
            raise ValidationError("rate_limit_per_minute", "must be 0 (no limit) or positive")
        if not self.token_ttl_days <= self.token_max_ttl_days <= 3650:
            raise ValidationError(
                "token_max_ttl_days", "must be at least token_ttl_days and at most 3650 (ten years)"
            )
        if not self.db:
            raise ValidationError("db", "must not be empty")


def at_rest_key_file(db: str, key_file: str | None = None) -> Path | None:
    """Where the at-rest key of the store at ``db`` is kept: ``key_file`` when given, else beside a SQLite
    file (``hub.db.key``), else ``fimihub.key`` in the working directory; ``None`` for an in-memory store."""
    if key_file:
        return Path(key_file).expanduser()
    url = database_url(db)
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
        if not path or path == ":memory:" or "mode=memory" in url:
            return None
        return Path(path.split("?", 1)[0] + ".key")
    return Path("fimihub.key")


def database_url(db: str) -> str:
    """Turn a ``--db`` value (a SQLite path or a URL) into a SQLAlchemy URL."""
    if "://" in db:
        if db.startswith("postgres://"):
            db = "postgresql://" + db.removeprefix("postgres://")
        if db.startswith("postgresql://"):
            db = "postgresql+psycopg://" + db.removeprefix("postgresql://")
        return db
    if db == ":memory:":
        return "sqlite://"
    return "sqlite:///" + str(Path(db).expanduser())


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ValidationError("config_file", f"{path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError("config_file", f"{path} is not valid TOML: {exc}") from None
    section = data.get("fimihub", data)
    if not isinstance(section, dict):
        raise ValidationError("config_file", "the [fimihub] table must be a table")
    return dict(section)


def _read_env(env: Mapping[str, str]) -> dict[str, str]:
    names = {f.name for f in fields(Settings)} - {"config_file"}
    found: dict[str, str] = {}
    for key, value in env.items():
        if key.startswith(ENV_PREFIX):
            name = key.removeprefix(ENV_PREFIX).lower()
            if name in names:
                found[name] = value
    return found


def _convert(name: str, annotation: object, value: Any) -> Any:
    kind = str(annotation)
    if kind == "int":
        if isinstance(value, bool):
            raise ValidationError(name, "must be an integer")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValidationError(name, f"must be an integer, got {value!r}") from None
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        raise ValidationError(name, f"must be a string, got {type(value).__name__}")
    return str(value)

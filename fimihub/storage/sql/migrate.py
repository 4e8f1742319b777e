"""Running the Alembic migrations from code, without an ``alembic.ini``.

The configuration is built here and the caller's connection is handed to ``migrations/env.py`` through
``Config.attributes``, so the migration runs inside the caller's transaction, on the caller's connection: an
in-memory SQLite database is migrated in place, and a failed upgrade leaves nothing half done (both SQLite
and PostgreSQL have transactional DDL).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, text

from fimihub.errors import StoreError
from fimihub.storage.sql.tables import metadata

__all__ = ["MIGRATIONS", "alembic_config", "current_revision", "head_revision", "schema_diff", "upgrade"]

#: The migration scripts, shipped inside the package.
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Any constant will do: it names the PostgreSQL advisory lock two processes upgrading at once queue on.
_UPGRADE_LOCK = 0x66696D69


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for our migrations, running on ``connection`` when one is given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Migrate the schema on ``connection`` (inside its transaction) to ``revision``."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
    try:
        command.upgrade(alembic_config(connection), revision)
    except CommandError as error:
        # Typically a database migrated by a newer fimihub: its revision is unknown to these scripts.
        raise StoreError(f"cannot migrate the schema: {error}") from error


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at, ``None`` when it was never migrated."""
    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision the shipped migrations know."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def schema_diff(connection: Connection) -> list[str]:
    """How the database's schema differs from :data:`~fimihub.storage.sql.tables.metadata` (empty: none)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [repr(diff) for diff in compare_metadata(context, metadata)]

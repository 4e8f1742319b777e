"""Alembic's environment for the SQL store: runs the migrations on the connection the caller passes.

:func:`fimihub.storage.sql.migrate.upgrade` puts its connection in ``config.attributes["connection"]``; the
migrations then run inside that connection's transaction. Offline mode (``--sql``) renders SQL for the URL
in the ``sqlalchemy.url`` option instead, for administrators who apply migrations by hand.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from fimihub.storage.sql.tables import metadata

config = context.config

if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run the migrations through SqlStore.upgrade(), which passes its connection")
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()

"""Alembic migrations of the SQL store, run by ``SqlStore.upgrade()`` (see ``storage/sql/migrate.py``)."""

"""The SQL store: SQLAlchemy Core tables, the store and its units of work, Alembic migrations.

SQLAlchemy and Alembic are imported only under this package; the rest of fimihub sees
:class:`~fimihub.storage.Store`.
"""

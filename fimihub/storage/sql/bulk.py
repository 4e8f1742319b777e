"""Inserting many rows with one ``executemany`` on the driver.

``Connection.execute(insert(table), rows)`` compiles the statement and runs every value through SQLAlchemy's
per-row machinery on each call, which costs more than the database's own work when a post brings hundreds of
rows. :func:`driver_insert` compiles the ``INSERT`` once per dialect, table and set of columns, applies the
same bind processors the column types would (JSON, timestamps), and hands the rows to the driver directly.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.engine import Dialect

__all__ = ["bind_processor", "driver_insert"]

_Processor = Callable[[Any], Any]
#: Per dialect, table and columns: the ``INSERT`` as SQLAlchemy compiles it, the order of its parameters when
#: they are positional (else ``None``), and the bind processors of the columns that have one.
_Compiled = tuple[str, tuple[str, ...] | None, dict[str, _Processor]]
_INSERTS: dict[tuple[str, str, str, tuple[str, ...]], _Compiled] = {}


def driver_insert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    ready: Collection[str] = (),
) -> None:
    """Insert ``rows`` (every one with the same columns) into ``table``. Columns named in ``ready`` hold
    values already as the driver takes them (put through :func:`bind_processor` by the caller, who shares
    one value among many rows). Database errors propagate as SQLAlchemy raises them."""
    if not rows:
        return
    columns = tuple(rows[0])
    if any(len(row) != len(columns) for row in rows):
        conn.execute(insert(table), list(rows))  # rows of different shapes: SQLAlchemy sorts them out
        return
    statement, order, processors = _compiled(conn.dialect, table, columns)
    todo = [(name, process) for name, process in processors.items() if name not in ready]
    pick = itemgetter(*order) if order is not None and len(order) > 1 else None
    params: list[Any] = []
    for row in rows:
        values: Mapping[str, Any] = row
        if todo:
            values = dict(row)
            for name, process in todo:
                values[name] = process(values[name])
        if order is None:
            params.append(values)
        else:
            params.append(pick(values) if pick is not None else tuple(values[name] for name in order))
    conn.exec_driver_sql(statement, params)


def bind_processor(dialect: Dialect, table: Table, column: str) -> _Processor | None:
    """What SQLAlchemy does to a value of ``table.column`` before handing it to ``dialect``'s driver."""
    return table.c[column].type.dialect_impl(dialect).bind_processor(dialect)


def _compiled(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> _Compiled:
    key = (dialect.name, dialect.driver, table.name, columns)
    found = _INSERTS.get(key)
    if found is None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        order = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
        processors: dict[str, _Processor] = {}
        for name in columns:
            process = bind_processor(dialect, table, name)
            if process is not None:
                processors[name] = process
        found = _INSERTS[key] = (str(compiled), order, processors)
    return found

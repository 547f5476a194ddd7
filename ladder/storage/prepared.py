"""A kept statement run straight on the driver's cursor, for the lists asked for again and again.

    rows = kept_rows(connection, statement, params)   # [{column: value, ...}, ...]

SQLAlchemy compiles ``statement`` once per database (the SQL text, the order of its parameters
and how each is converted for the driver); every call then only converts the values and hands
the text to the driver's cursor, inside the transaction the connection has begun (a failure
goes through SQLAlchemy's error handling, so it reads as everywhere else; no cursor events).
``connection.execute`` would, at every call, walk the whole statement for its cache key, merge
and convert every parameter, re-render expanding ``IN`` lists and wrap each row: about 0.4 ms
on ``ladder next``'s ranking (~170 parameters), a third of a small group's list. Statements
with an expanding parameter (see ``sqlfunc.in_constants``) go through ``connection.execute``
as usual. Rows come as the driver gives them, without result processing: for selects of
numbers and text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import Compiled

from ladder.memo import per_object


@dataclass(frozen=True)
class _Form:
    compiled: Compiled | None  # None: an expanding parameter, run through SQLAlchemy
    sql: str
    positions: tuple[str, ...] | None  # qmark drivers (SQLite): the parameters in order
    convert: dict[str, Any]  # bind processors by (escaped) parameter name


def kept_rows(
    connection: Connection, statement: Any, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """The rows of ``statement`` (built once and kept by the caller) with these parameters."""
    dialect = connection.dialect
    form = per_object(statement, f"kept:{dialect.name}", lambda: _form(statement, dialect))
    if form.compiled is None:
        result = connection.execute(statement, params)
        keys = list(result.keys())
        return [dict(zip(keys, row, strict=True)) for row in result]
    values = form.compiled.construct_params(params) or {}
    convert = form.convert
    if form.positions is not None:
        args: Any = tuple(
            convert[name](values[name]) if name in convert else values[name]
            for name in form.positions
        )
    else:
        args = {n: convert[n](v) if n in convert else v for n, v in values.items()}
    if connection.in_transaction():  # begun (BEGIN as the engine says): the cursor itself
        cursor = connection.connection.cursor()
        try:
            cursor.execute(form.sql, args)
            keys = [column[0] for column in cursor.description]
            return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]
        except Exception as error:  # wrapped and explained as for any statement, then raised
            connection._handle_dbapi_exception(error, form.sql, args, cursor, None)
        finally:
            cursor.close()
    result = connection.exec_driver_sql(form.sql, args)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def _form(statement: Any, dialect: Dialect) -> _Form:
    compiled = statement.compile(dialect=dialect)
    if any(bind.expanding for bind in compiled.binds.values()):
        return _Form(None, "", None, {})
    convert = {}
    for key, bind in compiled.binds.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            convert[compiled.escaped_bind_names.get(key, key)] = processor
    positions = tuple(compiled.positiontup) if compiled.positional else None
    return _Form(compiled, compiled.string, positions, convert)

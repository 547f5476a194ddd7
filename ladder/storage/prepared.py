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

On PostgreSQL the statement is also prepared on the server, once per connection (``PREPARE``,
then ``EXECUTE`` with the values as quoted literals, each cast to its parameter's type): sending,
parsing and analysing the ranking's 16 kB of SQL with 134 parameters at every call cost more
than running it for a small group (server CPU 6.1 -> 4.5 ms a list of 101 people at 100k). It
is still planned for its values at every call (``SET LOCAL plan_cache_mode``, for the rest of
the caller's transaction), so its plans are those of the text sent with the values. psycopg's
own automatic preparing cannot keep a statement: every ROLLBACK (the end of each read) forgets
them and, when it had any, sends DEALLOCATE ALL. So on a connection that runs a kept statement
psycopg prepares nothing itself (``prepare_threshold`` None: it then never deallocates), after
one DEALLOCATE ALL at its first; a prepared statement then lasts as long as its session
(ROLLBACK keeps it). Each parameter is declared with the type psycopg gives its value (as when
the text is sent with the values), so a new set of types is a new prepared statement.
"""

from __future__ import annotations

import itertools
import re
import weakref
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
    numbered: str = ""  # PostgreSQL: the SQL with $1, $2... for PREPARE
    order: tuple[str, ...] = ()  # PostgreSQL: the parameter of each $n


# PostgreSQL: each connection's prepared statements, by (SQL, parameter types)
_Execute = tuple[bytes, list[bytes], list[str]]  # its start, each value's cast, the columns
_PREPARED: weakref.WeakKeyDictionary[Any, dict[tuple[str, tuple[int, ...]], _Execute]] = (
    weakref.WeakKeyDictionary()
)
_NAMES = itertools.count(1)
# planned for its values at each call, as when the text is sent: a plan made once for any
# values (PostgreSQL's choice after five calls) ranks a large group with a small group's
# nested loops (the largest group at 1M: 1.26 s instead of 0.83 s of server time)
_CUSTOM_PLAN = "SET LOCAL plan_cache_mode = force_custom_plan"
_PYFORMAT = re.compile(r"%\((\w+)\)s|%%")


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
    names = form.order if form.numbered else form.positions
    if names is not None:
        args: Any = tuple(
            convert[name](values[name]) if name in convert else values[name] for name in names
        )
    else:
        args = {n: convert[n](v) if n in convert else v for n, v in values.items()}
    if form.numbered:
        return _prepared_rows(connection, form, args)
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


def _prepared_rows(
    connection: Connection, form: _Form, args: tuple[Any, ...]
) -> list[dict[str, Any]]:
    """PostgreSQL: EXECUTE the connection's prepared statement (PREPARE it first if new)."""
    from psycopg.adapt import PyFormat, Transformer

    if not connection.in_transaction():
        connection.begin()  # as exec_driver_sql would (autobegin)
    raw: Any = connection.connection.driver_connection
    values = Transformer.from_context(raw)
    cursor = connection.connection.cursor()
    sql = b""
    try:
        # a value the driver refuses (a NUL in a text) raises here, and is wrapped as below
        values.dump_sequence(args, [PyFormat.AUTO] * len(args))
        types = tuple(values.types or ())
        kept = _PREPARED.get(raw)
        if kept is None:  # its first: nothing is left prepared, psycopg prepares nothing more
            cursor.execute(sql := b"DEALLOCATE ALL")  # psycopg forgets its own (while it looks)
            raw.prepare_threshold = None
            kept = _PREPARED[raw] = {}
        execute = kept.get((form.numbered, types))
        if execute is None:
            execute = kept[(form.numbered, types)] = _prepare(cursor, form.numbered, types)
        head, casts, keys = execute
        literal = values.as_literal  # quoted by psycopg: an EXECUTE takes values, not parameters
        listed = b", ".join([b"(" + literal(v) + cast for v, cast in zip(args, casts, strict=True)])
        cursor.execute(sql := head + listed + b")" if casts else head)
        cursor.nextset()  # past the SET's result to the EXECUTE's
        if not keys:  # the statement's columns, named once (a description costs 0.1 ms)
            keys += [column[0] for column in cursor.description]
        return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]
    except Exception as error:  # wrapped and explained as for any statement, then raised
        if getattr(error, "sqlstate", None) == "26000":  # deallocated by someone: prepare again
            _PREPARED.pop(raw, None)
        connection._handle_dbapi_exception(error, sql.decode(), args, cursor, None)
        raise  # not reached: the handler raises
    finally:
        cursor.close()


def _prepare(
    cursor: Any, numbered: str, types: tuple[int, ...]
) -> tuple[bytes, list[bytes], list[str]]:
    """PREPARE ``numbered`` with these parameter types (0: unknown, as psycopg sends text, the
    server infers it). Returns the start of its EXECUTE; for each value (a literal in brackets:
    ``-1::int`` would be ``-(1::int)``) the cast to its parameter's type; and the list of its
    columns' names, filled at its first EXECUTE."""
    name = f"ladder_kept_{next(_NAMES)}"
    execute = f"{_CUSTOM_PLAN}; EXECUTE {name}"
    if not types:
        cursor.execute(f"PREPARE {name} AS {numbered}")
        return execute.encode(), [], []
    listed = ", ".join(f"{oid}::regtype" for oid in types)
    cursor.execute(f"SELECT {listed}")
    named = [str(t) if oid else "unknown" for oid, t in zip(types, cursor.fetchone(), strict=True)]
    cursor.execute(f"PREPARE {name} ({', '.join(named)}) AS {numbered}")
    cursor.execute(
        "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = %s", (name,)
    )
    inferred = cursor.fetchone()[0]
    return f"{execute} (".encode(), [f")::{t}".encode() for t in inferred], []


def _numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    """psycopg's ``%(name)s`` placeholders as ``$n`` (one per name), and the name of each."""
    order: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return "%"
        return f"${order.setdefault(match.group(1), len(order) + 1)}"

    return _PYFORMAT.sub(number, sql), tuple(order)


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
    if dialect.name == "postgresql" and dialect.driver == "psycopg" and positions is None:
        numbered, order = _numbered(compiled.string)
        return _Form(compiled, compiled.string, None, convert, numbered, order)
    return _Form(compiled, compiled.string, positions, convert)

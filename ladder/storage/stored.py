"""Statements compiled once for a database and kept between runs, as the SQL the driver gets.

Building a run's rule statements and compiling them is most of the Python a ``ladder promote``
spends in a fresh process (measured on the 100k bench dataset: 18 ms building, 22 ms
compiling, of a 0.42 s run). A :class:`StoredStatement` is what compiling left: the SQL text
in the driver's paramstyle, the names of its parameters in order, the values fixed when the
statement was built (already as the driver takes them) and, for the values given at each
run, whether a date or time must be converted for this database. Executing it is a driver
call (``exec_driver_sql``), with the same conversions SQLAlchemy would apply.

:func:`freeze` gives None for a statement it cannot keep faithfully (a parameter whose type
converts values other than dates and times, a value that is not plain JSON, a name the
dialect escapes, a parameter rendered into the SQL when executed other than a list of ids):
the caller then keeps the SQLAlchemy statement.

The entries live in the user's cache (``ladder/rule-statements``, beside the checked ladder
files of :mod:`ladder.domain.ladder_cache`), keyed by what shapes the SQL: the caller's own
key (the ladder file, a scope), the database (dialect, driver, server version), SQLAlchemy's
version, Python's major.minor and the source of the code that builds statements
(:data:`CODE`). A missing, corrupt or unwritable entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Date, DateTime
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.types import TypeEngine

from ladder.domain import ladder_cache

FORMAT = b"ladder-stored-statements 1\n"
KIND = "rule-statements"  # the cache folder
KEEP = 64  # entries kept (a ladder file and scope on a database each: tens of kilobytes)
_LADDER = Path(__file__).parent.parent
# the packages whose source shapes a statement's SQL: any change to them is a new key
CODE = (_LADDER / "rules", _LADDER / "storage", _LADDER / "domain", _LADDER / "memo.py")
_EXPANDED = re.compile(r"__\[POSTCOMPILE_(\w+)\]")
_EMPTY = "SELECT 1 WHERE 1 != 1"  # an empty list: IN (...) holds for nobody, NOT IN for all
_CONVERTED: dict[str, TypeEngine[Any]] = {"datetime": DateTime(), "date": Date()}
_PLAIN = (str, int, float, bool, type(None))  # values JSON gives back as they were
_code_digest: bytes | None = None


@dataclass(frozen=True)
class StoredStatement:
    """A compiled statement, executed through the driver (see the module's docstring)."""

    sql: str
    names: tuple[str, ...]  # its parameters (but the lists), in order when ``positional``
    positional: bool  # the driver takes the values in order (else by name)
    fixed: Mapping[str, Any]  # values given when the statement was built, as the driver takes
    converted: Mapping[str, str]  # values given at each run that are converted: date, datetime
    lists: tuple[str, ...]  # lists of ids, written into the SQL when executed

    def execute(self, connection: Connection, params: Mapping[str, Any]) -> CursorResult[Any]:
        values = {n: params[n] if n in params else self.fixed[n] for n in self.names}
        for name, kind in self.converted.items():
            values[name] = _converter(connection.dialect, kind)(values[name])
        sql = self.sql
        if self.lists:
            sql = _EXPANDED.sub(lambda m: _ids(params[m.group(1)]), sql)
        if self.positional:
            return connection.exec_driver_sql(sql, tuple(values[n] for n in self.names))
        return connection.exec_driver_sql(sql, values)

    def to_json(self) -> dict[str, Any]:
        return {
            "sql": self.sql,
            "names": list(self.names),
            "positional": self.positional,
            "fixed": dict(self.fixed),
            "converted": dict(self.converted),
            "lists": list(self.lists),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoredStatement:
        return cls(
            str(data["sql"]),
            tuple(data["names"]),
            bool(data["positional"]),
            dict(data["fixed"]),
            dict(data["converted"]),
            tuple(data["lists"]),
        )


def execute(connection: Connection, statement: Any, params: Mapping[str, Any]) -> Any:
    """Execute a stored statement, or a SQLAlchemy one, with ``params``."""
    if isinstance(statement, StoredStatement):
        return statement.execute(connection, params)
    return connection.execute(statement, dict(params))


def freeze(statement: Any, dialect: Dialect) -> StoredStatement | None:
    """``statement`` compiled for ``dialect``, or None when it cannot be kept faithfully."""
    compiled = statement.compile(dialect=dialect)
    if compiled.escaped_bind_names or compiled.literal_execute_params:
        return None
    fixed: dict[str, Any] = {}
    converted: dict[str, str] = {}
    lists: list[str] = []
    for bind, name in compiled.bind_names.items():
        if bind.expanding:
            if not bind.required:
                return None
            lists.append(name)
            continue
        process = bind.type._cached_bind_processor(dialect)
        if not bind.required:  # a value given when built (None included)
            value = bind.effective_value
            fixed[name] = process(value) if process is not None else value
        elif process is not None:
            kind = _kind(bind.type)
            if kind is None:
                return None
            converted[name] = kind
    if set(_EXPANDED.findall(compiled.string)) != set(lists):
        return None
    if compiled.positional:
        names = tuple(n for n in compiled.positiontup or () if n not in lists)
    else:
        names = tuple(n for n in compiled.bind_names.values() if n not in lists)
    for name, value in fixed.items():
        if type(value) not in _PLAIN:
            if not isinstance(value, str):
                return None  # JSON would give back another type (a tuple as a list, a date)
            fixed[name] = str.__str__(value)  # a vocabulary word (a str enum): its text
    return StoredStatement(
        compiled.string, names, compiled.positional, fixed, converted, tuple(lists)
    )


def _kind(type_: Any) -> str | None:
    if isinstance(type_, DateTime):
        return "datetime"
    if isinstance(type_, Date):
        return "date"
    return None


def _converter(dialect: Dialect, kind: str) -> Any:
    process = _CONVERTED[kind]._cached_bind_processor(dialect)
    return process if process is not None else _same


def _same(value: Any) -> Any:
    return value


def _ids(values: Any) -> str:
    """A list of ids written into the SQL: integers only (never text from outside)."""
    ids = list(values)
    if any(type(i) is not int for i in ids):  # noqa: E721 - bool is an int: refused too
        raise TypeError("a stored statement's list holds integer ids only")
    return ", ".join(str(i) for i in ids) if ids else _EMPTY


def key(dialect: Dialect, shape: str) -> str | None:
    """The entry's name for statements of ``shape`` (the caller's key) on ``dialect``; None
    when the code's source is unreadable (then nothing is kept)."""
    global _code_digest
    if _code_digest is None:
        files = _code_files()
        _code_digest = None if files is None else ladder_cache.source_digest(FORMAT, files)
        if _code_digest is None:
            return None
    described = repr(database(dialect)).encode()
    return hashlib.sha256(_code_digest + described + shape.encode()).hexdigest()


def database(dialect: Dialect) -> tuple[Any, ...]:
    """What of the database shapes a compiled statement: its dialect, paramstyle, version."""
    return (
        type(dialect).__module__,
        type(dialect).__qualname__,
        dialect.paramstyle,
        dialect.server_version_info,
    )


def _code_files() -> list[Path] | None:
    """Our statement-building source and SQLAlchemy's ``__init__`` (its version); None when
    SQLAlchemy's source is not found."""
    from importlib.util import find_spec

    spec = find_spec("sqlalchemy")
    if spec is None or spec.origin is None:
        return None
    files = [Path(spec.origin)]
    for place in CODE:
        files += sorted(place.glob("*.py")) if place.is_dir() else [place]
    return files


def read(name: str) -> dict[str, Any] | None:
    return ladder_cache.read_entry(ladder_cache.folder(KIND), name)


def write(name: str, data: dict[str, Any]) -> None:
    ladder_cache.write_entry(ladder_cache.folder(KIND), name, data, KEEP)

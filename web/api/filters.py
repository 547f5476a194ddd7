"""``filter=``: the OData-like conditions OSDI clients send, as a SQL condition with bound values.

``modified_date gt '2026-01-31' and email_address eq 'ana@example.org'``: a field, an operator
(``eq ne gt ge lt le``), a single-quoted value (``''`` inside is a quote); conditions joined by
``and``/``or`` (``and`` binds tighter), with parentheses. A date alone means the whole day
(``eq '2026-01-31'`` is any time that day, ``gt`` the days after it); a date and time means
that moment (UTC, or with its offset). Anything else is refused with one line saying what is
accepted. The SQL holds only the fields' column expressions (a fixed table per collection), the
operators, ``AND``/``OR`` and parameter names: every value is bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.sql.elements import BindParameter, TextClause
from sqlalchemy.sql.expression import bindparam, text

from ladder.errors import InputError

OPERATORS = {"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
MAX_LENGTH = 1000
EXAMPLE = "modified_date gt '2026-01-31'"
_TOKEN = re.compile(r"\s*(?:(?P<open>\()|(?P<close>\))|(?P<quoted>'(?:[^']|'')*')|(?P<word>\w+))")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Field:
    """A field clients may filter on: its SQL expression and kind (``date`` or ``email``)."""

    sql: str
    kind: str
    nullable: bool = False


@dataclass
class Condition:
    """A WHERE condition (``1 = 1`` for no filter) and its bound values."""

    sql: str = "1 = 1"
    params: list[BindParameter[Any]] = field(default_factory=list)

    def bind(self, statement: str) -> TextClause:
        """``text(statement)`` with this condition's values bound (their names are ``_f<n>``)."""
        return text(statement).bindparams(*self.params) if self.params else text(statement)


def parse(given: str | None, fields: dict[str, Field]) -> Condition:
    """The condition ``given`` says, over ``fields``; InputError (400) for anything else."""
    if given is None or not given.strip():
        return Condition()
    if not fields:
        raise InputError("filter: this collection cannot be filtered: leave filter out")
    if len(given) > MAX_LENGTH:
        raise InputError(f"filter: longer than {MAX_LENGTH} characters: write a shorter one")
    parser = _Parser(_tokens(given), fields)
    sql = parser.expression()
    if parser.position < len(parser.tokens):
        kind, value = parser.tokens[parser.position]
        raise parser.refused(f"unexpected {_shown(value)}")
    return Condition(f"({sql})", parser.params)


def _shown(value: str) -> str:
    return repr(value if len(value) <= 30 else value[:30] + "…")


def _tokens(given: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(given):
        if given[position:].isspace():
            break
        match = _TOKEN.match(given, position)
        if match is None or match.lastgroup is None:
            rest = given[position:].strip()
            raise InputError(
                f"filter: unexpected {_shown(rest[:1])} at character {position + 1}: write "
                f"conditions like {EXAMPLE} joined by and/or"
            )
        tokens.append((match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    return tokens


class _Parser:
    """expression := term ('or' term)*; term := factor ('and' factor)*;
    factor := '(' expression ')' | FIELD OPERATOR 'value'."""

    def __init__(self, tokens: list[tuple[str, str]], fields: dict[str, Field]) -> None:
        self.tokens = tokens
        self.fields = fields
        self.position = 0
        self.params: list[BindParameter[Any]] = []

    def refused(self, reason: str) -> InputError:
        names = ", ".join(self.fields)
        return InputError(
            f"filter: {reason}: write conditions like {EXAMPLE} on {names}, with "
            f"{' '.join(OPERATORS)}, joined by and/or"
        )

    def _next(self, expected: str) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise self.refused(f"{expected} expected at the end")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _word(self, *words: str) -> bool:
        if self.position < len(self.tokens):
            kind, value = self.tokens[self.position]
            if kind == "word" and value.lower() in words:
                self.position += 1
                return True
        return False

    def expression(self) -> str:
        parts = [self.term()]
        while self._word("or"):
            parts.append(self.term())
        return " OR ".join(parts)

    def term(self) -> str:
        parts = [self.factor()]
        while self._word("and"):
            parts.append(self.factor())
        return " AND ".join(parts)

    def factor(self) -> str:
        kind, value = self._next("a field")
        if kind == "open":
            inner = self.expression()
            kind, close = self._next("')'")
            if kind != "close":
                raise self.refused(f"')' expected, not {_shown(close)}")
            return f"({inner})"
        if kind != "word" or value not in self.fields:
            raise self.refused(f"unknown field {_shown(value)}")
        column = self.fields[value]
        kind, operator = self._next("an operator")
        if kind != "word" or operator.lower() not in OPERATORS:
            raise self.refused(f"unknown operator {_shown(operator)}")
        kind, quoted = self._next("a quoted value")
        if kind != "quoted":
            raise self.refused(f"the value {_shown(quoted)} needs single quotes")
        literal = quoted[1:-1].replace("''", "'")
        if column.kind == "date":
            return self._date(value, column, operator.lower(), literal)
        return self._text(column, operator.lower(), literal)

    def _bind(self, value: Any, kind: str) -> str:
        name = f"_f{len(self.params)}"
        type_ = DateTime() if kind == "date" else String()
        self.params.append(bindparam(name, value, type_=type_))
        return f":{name}"

    def _text(self, column: Field, operator: str, value: str) -> str:
        condition = (
            f"{column.sql} {OPERATORS[operator]} {self._bind(value.strip().lower(), 'text')}"
        )
        if operator == "ne" and column.nullable:
            return f"({column.sql} IS NULL OR {condition})"
        return condition

    def _date(self, name: str, column: Field, operator: str, value: str) -> str:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise self.refused(f"{name}: {_shown(value)} is not a date (2026-01-31)") from None
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        if not _DAY.match(value.strip()):
            return f"{column.sql} {OPERATORS[operator]} {self._bind(moment, 'date')}"
        day, after = moment, moment + timedelta(days=1)  # a date alone: the whole day
        if operator in ("eq", "ne"):
            inside = (
                f"{column.sql} >= {self._bind(day, 'date')} AND "
                f"{column.sql} < {self._bind(after, 'date')}"
            )
            return f"({inside})" if operator == "eq" else f"NOT ({inside})"
        bound = {"gt": (">=", after), "ge": (">=", day), "lt": ("<", day), "le": ("<", after)}
        sign, limit = bound[operator]
        return f"{column.sql} {sign} {self._bind(limit, 'date')}"

"""One row of a people file: its fields (aliases in ladder/tabular/headers.toml) and the
pydantic schema.

Validation turns a raw :class:`~ladder.tabular.csvfile.CsvRow` into a :class:`PersonRow`
(normalised email, phone and postcode; tags split; consents read as the words of
headers.toml's [values]: yes/no, oui/non, ja/nee, x, ✓, 1/0; blank is "not asked"),
or into a :class:`Rejection` naming the line, the column and the reason.
"""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Required

from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from ladder.domain.contact import (
    matched_email,
    normalise_email,
    normalise_phone,
    normalise_postcode,
)
from ladder.domain.text import (
    EMAIL,
    EXTERNAL_ID,
    MAX_ID,
    NAME,
    NO_CONTROL,
    PHONE,
    POSTCODE,
    TAG,
    TITLE,
    text_problem,
)
from ladder.tabular.cells import restore  # a neutralised '=... cell reads as =...
from ladder.tabular.csvfile import CsvRow, CsvTable
from ladder.tabular.headers import NEGATED, TOOL_ID, aliases_for, consent_words

PEOPLE_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "phone",
    "postcode",
    "group",
    "tags",
    "recruited_by",
    "organisation",
    "role",
    "consent_email",
    "consent_sms",
    "consent_photo",
    TOOL_ID,
)
# The header aliases (English, French, Dutch, other tools' exports): ladder/tabular/headers.toml
PEOPLE_ALIASES: dict[str, list[str]] = aliases_for(PEOPLE_FIELDS)
_NEGATED = {k: k.removeprefix(NEGATED) for k in PEOPLE_ALIASES if k.startswith(NEGATED)}
_IDENTIFYING = {"first_name", "last_name", "email", "phone"}

_WORDS = consent_words()
_TAG_SEPARATORS = re.compile(r"[,;|]")


def _email(value: str | None) -> str | None:
    """:func:`normalise_email`, answered without its checks for an address its pattern takes
    whole (no control character is in that pattern)."""
    if isinstance(value, str) and (email := matched_email(value.strip())) is not None:
        return email  # (no cast() a row: each is a call)
    return normalise_email(value)


# a national number of ASCII digits and spaces, as most files write them (06 12 34 56 78)
_NATIONAL_PHONE = re.compile(r"0[1-9][0-9 ]*")


def _phone(value: str | None) -> str | None:
    """:func:`normalise_phone`, answered in a few steps for a national number of digits and
    spaces (the country code is normalise_phone's default)."""
    if isinstance(value, str) and len(value) <= PHONE and _NATIONAL_PHONE.fullmatch(value):
        digits = value.replace(" ", "")
        if 5 <= len(digits) <= 14:  # 6 to 15 digits once the country code replaces the 0
            return f"+{_COUNTRY_CODE}{digits[1:]}"
    return normalise_phone(value)


_COUNTRY_CODE = inspect.signature(normalise_phone).parameters["country_code"].default


def _consent(value: str | None) -> bool | None:
    if value is None:
        return None
    word = value.lower()
    if word in _WORDS.yes:
        return True
    if word in _WORDS.no:
        return False
    if word in _WORDS.blank:
        return None  # not asked: not a no
    raise ValueError(f"{value!r} is not yes or no (oui/non, ja/nee, x, 1/0 also work)")


def _tags(value: str) -> tuple[str, ...]:
    tags: list[str] = []
    for tag in _TAG_SEPARATORS.split(value):
        tag = tag.strip()
        if problem := text_problem(tag, TAG):
            raise ValueError(f"tag {len(tags) + 1}: {problem}")
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _postcode(value: str | None) -> str | None:
    if value is None:
        return None
    known = _POSTCODES.get(value)
    if known is not None:
        return known  # a file names the same postcodes over and over
    if problem := text_problem(value, POSTCODE):
        raise ValueError(problem)  # checked before normalising folds control characters away
    postcode = normalise_postcode(value)
    if postcode is not None and len(_POSTCODES) < _POSTCODES_KEPT:
        _POSTCODES[value] = postcode
    return postcode


_POSTCODES: dict[str, str] = {}  # a cell as written -> its checked, normalised postcode
_POSTCODES_KEPT = 100_000


def _text(limit: int) -> Any:
    """A text cell of at most ``limit`` characters, no control character (checked in Rust:
    pydantic's own messages are replaced by :func:`ladder.domain.text.text_problem`'s)."""
    return Field(max_length=limit, pattern=NO_CONTROL)


class PersonRow(TypedDict, total=False):
    """A validated row. A blank cell is left out: an import never blanks a known value.

    A TypedDict validated in batches: 5x faster than a model instance per row at 1M rows.
    """

    line: Required[int]
    id: Annotated[int, Field(gt=0, le=MAX_ID)]
    first_name: Annotated[str, _text(NAME)]
    last_name: Annotated[str, _text(NAME)]
    email: Annotated[str | None, BeforeValidator(_email)]
    phone: Annotated[str | None, BeforeValidator(_phone)]
    postcode: Annotated[str | None, BeforeValidator(_postcode)]
    group: Annotated[str, _text(NAME)]
    tags: Annotated[tuple[str, ...], BeforeValidator(_tags)]
    recruited_by: Annotated[str, _text(EMAIL)]
    consent_email: Annotated[bool | None, BeforeValidator(_consent)]
    consent_sms: Annotated[bool | None, BeforeValidator(_consent)]
    consent_photo: Annotated[bool | None, BeforeValidator(_consent)]
    tool_id: Annotated[str, _text(EXTERNAL_ID)]  # another tool's own id for the person
    organisation: Annotated[str, _text(TITLE)]  # the partner organisation they represent
    role: Annotated[str, _text(TITLE)]  # their role there


_ONE = TypeAdapter(PersonRow)
_BATCH = TypeAdapter(list[PersonRow])
BATCH_SIZE = 5_000


def person_name(row: PersonRow) -> str:
    return " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)


@dataclass(frozen=True)
class Rejection:
    """A row that will not be imported, with the column at fault ("" for the whole row)."""

    line: int
    column: str
    reason: str


def split_full_name(full_name: str) -> tuple[str, str | None]:
    """``Awa Diallo`` -> (Awa, Diallo); ``Jean-Pierre de la Tour`` -> (Jean-Pierre, de la Tour)."""
    first, _, last = full_name.strip().partition(" ")
    return first, last.strip() or None


def validate_rows(
    table: CsvTable, rows: Iterable[CsvRow] | None = None
) -> Iterator[PersonRow | Rejection]:
    """Each raw row as a PersonRow, or a Rejection for each of its problems, in file order.

    ``rows``: the table's rows to validate (None: all of them, read straight from its
    records without a :class:`CsvRow` each)."""
    checked_rows = _prechecked(table) if rows is None else (_precheck(table, r) for r in rows)
    batch: list[dict[str, Any]] = []
    for checked in checked_rows:
        if isinstance(checked, Rejection):
            yield from _validate_batch(table, batch)
            batch = []
            yield checked
            continue
        batch.append(checked)
        if len(batch) >= BATCH_SIZE:
            yield from _validate_batch(table, batch)
            batch = []
    yield from _validate_batch(table, batch)


def _prechecked(table: CsvTable) -> Iterator[dict[str, Any] | Rejection]:
    """:func:`_precheck` of every row of ``table``, from its records (one dict a row)."""
    width = len(table.header)
    fields, pick, several = table.picker()
    for line, cells in table.records():
        if len(cells) > width and (extra := sum(1 for c in cells[width:] if c.strip())):
            yield _too_wide(table, line, extra)
            continue
        if several:
            chosen = [
                (f, next((cells[i] for i in positions if cells[i].strip()), ""))
                for f, positions in several
            ]
            yield _checked(line, itertools.chain(zip(fields, pick(cells), strict=True), chosen))
        else:
            yield _checked(line, zip(fields, pick(cells), strict=True))


def _precheck(table: CsvTable, row: CsvRow) -> dict[str, Any] | Rejection:
    """The row's non-blank values, with a full name split; or why it cannot be a person."""
    if row.extra:
        return _too_wide(table, row.line, len(row.extra))
    return _checked(row.line, row.values.items())


def _too_wide(table: CsvTable, line: int, extra: int) -> Rejection:
    width = len(table.header)
    return Rejection(
        line,
        "",
        f"{width + extra} cells for {width} columns "
        f"(an unquoted {table.delimiter_name} in a value?)",
    )


def _checked(line: int, cells: Iterable[tuple[str, str]]) -> dict[str, Any] | Rejection:
    """A row's non-blank values (field -> raw text), with a full name split; or why it
    cannot be a person."""
    values: dict[str, Any] = {
        k: t
        for k, v in cells
        if (t := (restore(v) if v[:1] == "'" else v).strip())  # restore: a cell's leading '
    }
    if _NEGATED and values.keys() & _NEGATED.keys():
        _read_negated(values)
    if "email" in values and values["email"].lower() in _WORDS.blank:
        del values["email"]  # Microsoft Forms writes "anonymous"
    if "full_name" in values:
        if values["full_name"].lower() in _WORDS.blank:
            del values["full_name"]
        full_name = values.pop("full_name", None)
        if full_name and "first_name" not in values and "last_name" not in values:
            values["first_name"], last_name = split_full_name(full_name)
            if last_name:
                values["last_name"] = last_name
    if not ("email" in values or "first_name" in values or "phone" in values) and not (
        values.keys() & _IDENTIFYING
    ):
        return Rejection(line, "", "no name, email or phone: nothing says who this is")
    values["line"] = line
    return values


def _read_negated(values: dict[str, Any]) -> None:
    """``Do Not Email: 1`` is ``consent_email: no``; a plain consent column wins over it."""
    for negated, field_name in _NEGATED.items():
        value = values.pop(negated, None)
        if value is None or field_name in values:
            continue
        word = value.lower()
        if word in _WORDS.yes:
            values[field_name] = "no"
        elif word in _WORDS.no:
            values[field_name] = "yes"
        elif word not in _WORDS.blank:
            values[field_name] = value  # refused by the consent rule, naming the value


def _validate_batch(
    table: CsvTable, batch: list[dict[str, Any]]
) -> Iterator[PersonRow | Rejection]:
    if not batch:
        return
    try:
        yield from _BATCH.validate_python(batch)
    except ValidationError:
        for values in batch:  # a bad batch: find its bad rows one by one
            try:
                yield _ONE.validate_python(values)
            except ValidationError as exc:
                yield from _rejections(table, values, exc)


def _rejections(
    table: CsvTable, values: dict[str, Any], exc: ValidationError
) -> Iterator[Rejection]:
    for error in exc.errors(include_url=False, include_input=False):
        field_name = str(error["loc"][0]) if error["loc"] else ""
        if field_name and field_name not in table.columns and NEGATED + field_name in table.columns:
            field_name_shown = NEGATED + field_name  # read inverted from "Do Not Email"
        else:
            field_name_shown = field_name
        column = table.column_of(field_name_shown) if field_name else ""
        reason = error["msg"].removeprefix("Value error, ")
        if error["type"] in ("string_too_long", "string_pattern_mismatch"):
            value = str(values[field_name])
            limit = error.get("ctx", {}).get("max_length", len(value))
            reason = text_problem(value, limit) or reason
        elif error["type"] == "less_than_equal":
            reason = f"no database holds an id above {MAX_ID}: leave the id blank for a new person"
        yield Rejection(values["line"], column, reason)

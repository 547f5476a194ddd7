"""One row of a people file: the header aliases (English and French) and the pydantic schema.

Validation turns a raw :class:`~ladder.tabular.csvfile.CsvRow` into a :class:`PersonRow`
(normalised email, phone and postcode; tags split; consents read as yes/no/oui/non/x/1/0),
or into a :class:`Rejection` naming the line, the column and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Required

from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from ladder.domain.contact import normalise_email, normalise_phone, normalise_postcode
from ladder.domain.text import EMAIL, MAX_ID, NAME, NO_CONTROL, POSTCODE, TAG, text_problem
from ladder.tabular.cells import restore  # a neutralised '=... cell reads as =...
from ladder.tabular.csvfile import CsvRow, CsvTable

PEOPLE_ALIASES: dict[str, list[str]] = {
    "id": ["#", "ladder id", "identifiant"],
    "first_name": ["first name", "firstname", "given name", "forename", "prénom", "prenom"],
    "last_name": ["last name", "lastname", "surname", "family name", "nom", "nom de famille"],
    "full_name": ["name", "full name", "nom complet", "prénom nom", "nom prénom", "nom et prénom"],
    "email": [
        "e-mail",
        "mail",
        "email address",
        "e-mail address",
        "courriel",
        "adresse mail",
        "adresse e-mail",
        "adresse email",
        "adresse électronique",
        "mél",
    ],  # fmt: skip
    "phone": [
        "telephone",
        "téléphone",
        "tel",
        "tél",
        "phone number",
        "mobile",
        "mobile phone",
        "cell",
        "portable",
        "numéro de téléphone",
        "n° de téléphone",
        "gsm",
    ],  # fmt: skip
    "postcode": ["post code", "postal code", "zip", "zip code", "zipcode", "code postal", "cp"],
    "group": ["local group", "groupe", "groupe local"],
    "tags": ["tag", "labels", "étiquettes", "mots clés"],
    "recruited_by": [
        "recruiter",
        "recruited by",
        "referred by",
        "invited by",
        "recruteur",
        "recruteuse",
        "recruté par",
        "parrain",
        "marraine",
        "parrainé par",
        "invité par",
    ],  # fmt: skip
    "consent_email": [
        "email consent",
        "consent email",
        "email opt in",
        "opt in email",
        "newsletter",
        "consentement email",
        "accepte les emails",
    ],  # fmt: skip
    "consent_sms": ["sms consent", "consent sms", "sms opt in", "consentement sms"],
    "consent_photo": [
        "photo consent",
        "consent photo",
        "consentement photo",
        "droit à l'image",
        "autorisation photo",
    ],  # fmt: skip
}
_IDENTIFYING = {"first_name", "last_name", "email", "phone"}

_YES = {"yes", "y", "oui", "o", "x", "1", "true", "vrai", "ok"}
_NO = {"no", "n", "non", "0", "false", "faux"}
_TAG_SEPARATORS = re.compile(r"[,;|]")


def _email(value: str | None) -> str | None:
    return normalise_email(value)


def _phone(value: str | None) -> str | None:
    return normalise_phone(value)


def _consent(value: str | None) -> bool | None:
    if value is None:
        return None
    word = value.lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError(f"{value!r} is not yes or no (oui/non, x, 1/0 also work)")


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
    if value is not None and (problem := text_problem(value, POSTCODE)):
        raise ValueError(problem)  # checked before normalising folds control characters away
    return normalise_postcode(value)


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


def validate_rows(table: CsvTable, rows: Iterable[CsvRow]) -> Iterator[PersonRow | Rejection]:
    """Each raw row as a PersonRow, or a Rejection for each of its problems, in file order."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        checked = _precheck(table, row)
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


def _precheck(table: CsvTable, row: CsvRow) -> dict[str, Any] | Rejection:
    """The row's non-blank values, with a full name split; or why it cannot be a person."""
    if row.extra:
        width = len(table.header)
        return Rejection(
            row.line,
            "",
            f"{width + len(row.extra)} cells for {width} columns "
            f"(an unquoted {table.delimiter_name} in a value?)",
        )
    values: dict[str, Any] = {k: t for k, v in row.values.items() if (t := restore(v).strip())}
    full_name = values.pop("full_name", None)
    if full_name and "first_name" not in values and "last_name" not in values:
        values["first_name"], last_name = split_full_name(full_name)
        if last_name:
            values["last_name"] = last_name
    if not values.keys() & _IDENTIFYING:
        return Rejection(row.line, "", "no name, email or phone: nothing says who this is")
    values["line"] = row.line
    return values


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
        column = table.column_of(field_name) if field_name else ""
        reason = error["msg"].removeprefix("Value error, ")
        if error["type"] in ("string_too_long", "string_pattern_mismatch"):
            value = str(values[field_name])
            limit = error.get("ctx", {}).get("max_length", len(value))
            reason = text_problem(value, limit) or reason
        elif error["type"] == "less_than_equal":
            reason = f"no database holds an id above {MAX_ID}: leave the id blank for a new person"
        yield Rejection(values["line"], column, reason)

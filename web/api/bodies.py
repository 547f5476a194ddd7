"""Request bodies: JSON, checked against the OSDI fields each request may carry.

Every field the OSDI 1.2 spec lists for the document is accepted (its examples are valid
requests here); only those ladder keeps are stored (the person's names, primary email, phone
and postal code, consents, tags, ladder's custom fields; an event's title, dates, place,
capacity and status; an attendance's status and presence), the others (``triggers``,
``add_lists``, ``referrer_data``, ...) are read and ignored, as Action Network ignores what it
does not keep. A field the spec does not list (a typo) is refused, naming it. Values are then
checked by the OSDI importer (:mod:`ladder.interop.osdi_documents`), which stores them.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ladder.errors import InputError

MAX_BODY = 1 << 20


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Document(_Strict):
    identifiers: list[str] | None = None
    origin_system: str | None = None
    created_date: Any = None
    modified_date: Any = None
    links: dict[str, Any] | None = Field(None, alias="_links")


class EmailAddress(_Strict):
    address: str | None = None
    primary: bool | None = None
    address_type: str | None = None
    status: str | None = None


class PhoneNumber(_Strict):
    number: str | int | None = None
    primary: bool | None = None
    number_type: str | None = None
    extension: str | None = None
    description: str | None = None
    operator: str | None = None
    country: str | None = None
    sms_capable: bool | None = None
    do_not_call: bool | None = None
    status: str | None = None


class PostalAddress(_Strict):
    primary: bool | None = None
    address_type: str | None = None
    venue: str | None = None
    address_lines: list[str] | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    language: str | None = None
    location: Any = None
    status: str | None = None


class Person(_Document):
    given_name: str | None = None
    family_name: str | None = None
    additional_name: str | None = None
    honorific_prefix: str | None = None
    honorific_suffix: str | None = None
    gender: str | None = None
    gender_identity: str | None = None
    gender_pronouns: Any = None
    party_identification: str | None = None
    parties: Any = None
    division_info: Any = None
    source: str | None = None
    browser_url: str | None = None
    administrative_url: str | None = None
    birthdate: Any = None
    ethnicities: Any = None
    languages_spoken: Any = None
    preferred_language: str | None = None
    employer: str | None = None
    employer_address: Any = None
    occupation: str | None = None
    email_addresses: list[EmailAddress] | None = None
    phone_numbers: list[PhoneNumber] | None = None
    postal_addresses: list[PostalAddress] | None = None
    profiles: Any = None
    custom_fields: dict[str, Any] | None = None


class _Helper(_Strict):
    """What a helper request carries beside its person (read, and ignored but tags)."""

    add_tags: list[str] | None = None
    add_tags_uri: Any = None
    add_lists: Any = None
    add_lists_uri: Any = None
    add_questions_responses_uri: Any = None
    triggers: Any = None


class Signup(_Helper):
    person: Person


class Event(_Document):
    title: str | None = None
    name: str | None = None
    description: str | None = None
    summary: str | None = None
    instructions: str | None = None
    browser_url: str | None = None
    administrative_url: str | None = None
    featured_image_url: str | None = None
    type: str | None = None
    status: str | None = None
    visibility: str | None = None
    transparence: str | None = None
    guests_can_invite_others: bool | None = None
    capacity: int | None = None
    start_date: str | None = None
    end_date: str | None = None
    all_day: bool | None = None
    all_day_date: str | None = None
    location: Any = None
    reminders: Any = None
    ticket_levels: Any = None
    contact: Any = None
    share_url: str | None = None
    total_accepted: int | None = None
    total_tickets: int | None = None
    total_amount: Any = None
    custom_fields: dict[str, Any] | None = None


class Attendance(_Document, _Helper):
    """An attendance (``_links`` names its person), or the record-attendance helper's request
    (``person`` carries them)."""

    person: Person | None = None
    action_date: str | None = None
    status: str | None = None
    attended: bool | None = None
    comment: str | None = None
    referrer_data: Any = None
    tickets: Any = None
    ticket_levels: Any = None
    total_amount: Any = None
    currency: str | None = None


class Tag(_Document):
    name: str | None = None
    description: str | None = None


class Tagging(_Document):
    item_type: str | None = None


async def json_body(request: Request) -> Any:
    """The request's body as JSON (a FastAPI dependency); one line when it is not."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise InputError(f"request body: larger than {MAX_BODY // 1024} KiB: send one document")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("request body: not UTF-8 text: send UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"request body: not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise InputError("request body: nested too deeply: send an OSDI document") from None


def checked(model: type[BaseModel], body: Any) -> dict[str, Any]:
    """``body`` once checked against ``model`` (the JSON as sent); InputError naming the first
    field that is wrong."""
    if not isinstance(body, dict):
        raise InputError(f"request body: a JSON {type(body).__name__}, not an OSDI document")
    try:
        model.model_validate(body)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in error["loc"]) or "request body"
        if error["type"] == "extra_forbidden":
            raise InputError(f"{where}: unknown field: check its spelling") from None
        raise InputError(f"{where}: {error['msg']}") from None
    return body

"""Reading OSDI documents: what each describes, and its values checked and converted.

A collection (``_embedded`` / ``osdi:people``, ...) is read item by item
(:mod:`ladder.interop.jsonstream`); a file that is one document is recognised by its fields
(OSDI documents carry no type). People become the rows a people file would give, so the
people importer's planner matches them; events, tags, taggings and attendances become small
records; the first bad value raises :class:`InputError` naming the file and the JSON path.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from ladder.domain.contact import normalise_postcode
from ladder.domain.names import fold
from ladder.domain.text import KIND, MAX_COUNT, TAG, TITLE, text_problem
from ladder.errors import InputError
from ladder.interop import osdi_export as ex
from ladder.interop.jsonstream import read_items

_SUBSCRIBED = {"subscribed": True, "unsubscribed": False, "bouncing": False, "spam reports": False}
_RSVP = {
    "accepted": "accepted",
    "confirmed": "accepted",
    "yes": "accepted",
    "tentative": "tentative",
    "maybe": "tentative",
    "declined": "declined",
    "cancelled": "declined",
    "no": "declined",
}
_YES_NO = {True: "yes", False: "no"}  # as a people file writes them
_EVENT_STATUS = {"confirmed": "confirmed", "tentative": "tentative", "cancelled": "cancelled"}
_KINDS = {
    "osdi:people": "person",
    "osdi:tags": "tag",
    "osdi:taggings": "tagging",
    "osdi:events": "event",
    "osdi:attendances": "attendance",
}
OWN_HREF = re.compile(r"^(people|events|tags)/(\d+)$")


class _Bad(Exception):
    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")


@dataclass
class EventDoc:
    where: str
    values: dict[str, Any]
    identifiers: list[tuple[str, str]]
    ladder_id: int | None
    href: str | None


@dataclass
class Link:
    where: str
    person: str | int | None  # an href, or the line of a person document in this import
    other: str | None  # the event's or the tag's href
    values: dict[str, Any] = field(default_factory=dict)


class Gathered:
    """Every document of the import, converted, in file order."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []  # people, as the people importer's raw rows
        self.segments: list[tuple[int, str, int]] = []  # (first line, path prefix, first index)
        self.identifiers: dict[int, list[tuple[str, str]]] = {}  # line -> other tools' ids
        self.rungs: dict[int, str] = {}  # line -> rung
        self.hrefs: dict[str, int] = {}  # a person's self href -> line
        self.tags: dict[str, str] = {}  # folded name -> name
        self.tag_hrefs: dict[str, str] = {}  # a tag's self href -> folded name
        self.taggings: list[Link] = []
        self.events: list[EventDoc] = []
        self.attendances: list[Link] = []
        self.skipped: dict[str, int] = defaultdict(int)
        self.documents = 0
        self.default_event: int | None = None  # for attendances linking no event
        self.default_tag: str | None = None  # (folded) for taggings linking no tag

    def where(self, line: int) -> str:
        index = bisect.bisect_right(self.segments, (line, "\uffff")) - 1
        first, prefix, first_index = self.segments[index]
        return prefix if first_index < 0 else f"{prefix}[{first_index + line - first}]"


def files_of(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".json" and p.is_file())
            if not found:
                raise InputError(f"{path}: no .json file in this folder")
            files.extend(found)
        else:
            files.append(path)
    return files


def gather(gathered: Gathered, file: Path) -> None:
    try:
        stream = open(file, encoding="utf-8-sig")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"{file}: cannot read it ({exc.strerror})") from None
    with stream:
        gather_stream(gathered, stream, str(file))


def gather_stream(gathered: Gathered, stream: IO[str], file: str) -> None:
    """The documents of one stream (a file, or an API request's body), named ``file`` in
    messages."""
    segment_of: str | None = None
    try:
        for item in read_items(stream, file):
            gathered.documents += 1
            where = f"{file}: {item.path}"
            kind = _KINDS.get(item.collection) if item.collection else _kind(item.document)
            if item.collection and kind is None:
                gathered.skipped[item.collection] += 1
                continue
            if not isinstance(item.document, dict):
                raise _Bad(where, "not a JSON object")
            doc = item.document
            if kind is None:
                gathered.skipped[_skipped_kind(doc)] += 1
                continue
            if kind == "person":
                prefix = f"{file}: {item.path.rsplit('[', 1)[0]}" if item.collection else where
                if item.collection and segment_of != prefix:
                    segment_of = prefix
                    gathered.segments.append((len(gathered.rows) + 1, prefix, item.index))
                elif not item.collection:
                    gathered.segments.append((len(gathered.rows) + 1, where, -1))
                _add_person(gathered, doc, where, doc.get("add_tags"))
            elif kind == "helper":
                gathered.segments.append((len(gathered.rows) + 1, f"{where}.person", -1))
                line = _add_person(gathered, doc["person"], f"{where}.person", doc.get("add_tags"))
                if any(k in doc for k in ("status", "attended", "tickets")):
                    gathered.attendances.append(_attendance(doc, where, line))
                elif "comments" in doc:
                    gathered.skipped["signature"] += 1
            elif kind == "tag":
                _add_tag(gathered, doc, where)
            elif kind == "tagging":
                links = _links(doc, where)
                item_type = doc.get("item_type", "osdi:person")
                if item_type != "osdi:person" or (
                    "osdi:person" not in links and links.keys() & {"osdi:event", "osdi:item"}
                ):
                    gathered.skipped["tagging of something else than a person"] += 1
                    continue
                gathered.taggings.append(
                    Link(where, links.get("osdi:person"), links.get("osdi:tag"))
                )
            elif kind == "event":
                gathered.events.append(_event(doc, where))
            else:
                gathered.attendances.append(_attendance(doc, where, None))
    except _Bad as exc:
        raise InputError(f"{exc}: fix the document, or leave it out") from None
    except UnicodeDecodeError:
        raise InputError(f"{file}: not UTF-8 text: OSDI documents are UTF-8 JSON") from None


def _kind(doc: Any) -> str | None:
    """What a whole-file document describes, from its fields (OSDI documents carry no type)."""
    if not isinstance(doc, dict):
        return None
    given = doc.get("_links")
    links: dict[str, Any] = given if isinstance(given, dict) else {}
    if isinstance(doc.get("person"), dict):
        return "helper"
    if "osdi:petition" in links or "petition_text" in doc or "comments" in doc:
        return None
    if "item_type" in doc or "osdi:tag" in links:
        return "tagging"
    if "osdi:event" in links or "attended" in doc or "tickets" in doc:
        return "attendance"
    if "action_date" in doc and "osdi:person" in links:
        return "attendance"  # a POST to an event's attendances: the event is in its URL
    if doc.keys() & {"given_name", "family_name", "email_addresses", "phone_numbers",
                     "postal_addresses"}:  # fmt: skip
        return "person"
    if doc.keys() & {"start_date", "end_date", "location", "total_accepted", "all_day"}:
        return "event"
    if set(doc) == {"status"}:
        return "attendance"  # an attendance update: the status alone
    if "name" in doc and not doc.keys() & {"osdi_version", "motd", "title"}:
        return "tag"
    return None


def _skipped_kind(doc: dict[str, Any]) -> str:
    if "osdi_version" in doc or "motd" in doc:
        return "entry point"
    if "petition_text" in doc:
        return "petition"
    if "comments" in doc:
        return "signature"
    return "other document"


def _links(doc: dict[str, Any], where: str) -> dict[str, str]:
    links = doc.get("_links", {})
    if not isinstance(links, dict):
        raise _Bad(f"{where}._links", "not an object")
    found = {}
    for name, link in links.items():
        if isinstance(link, dict) and isinstance(link.get("href"), str):
            found[name] = link["href"]
    return found


def _identifiers(doc: dict[str, Any], where: str) -> tuple[int | None, list[tuple[str, str]]]:
    """The document's ``ladder:<id>`` (None without one) and its other identifiers."""
    given = doc.get("identifiers", [])
    if not isinstance(given, list):
        raise _Bad(f"{where}.identifiers", "not a list of 'namespace:value' strings")
    ladder_id, others = None, []
    for i, identifier in enumerate(given):
        if not isinstance(identifier, str) or ":" not in identifier.strip(":"):
            raise _Bad(f"{where}.identifiers[{i}]", "an identifier is a 'namespace:value' string")
        namespace, _, value = identifier.partition(":")
        if namespace == "ladder":
            if (
                not (value.isascii() and value.isdigit() and len(value) <= 19)
                or not 0 < int(value) <= 2**63 - 1
            ):
                raise _Bad(
                    f"{where}.identifiers[{i}]",
                    f"{identifier!r}: ladder's own ids are whole numbers",
                )
            ladder_id = int(value)
            continue
        plain = len(namespace) <= KIND and len(value) <= 120 and identifier.isprintable()
        if not plain and (problem := text_problem(namespace, KIND) or text_problem(value, 120)):
            raise _Bad(f"{where}.identifiers[{i}]", problem)
        others.append((namespace, value))
    return ladder_id, others


def _text(doc: dict[str, Any], key: str, where: str) -> str | None:
    value = doc.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Bad(f"{where}.{key}", f"a {type(value).__name__}, not text")
    return value.strip() or None


def _primary(doc: dict[str, Any], key: str, where: str) -> tuple[dict[str, Any] | None, str]:
    """The primary entry of a list of addresses (else the first), and its path."""
    entries = doc.get(key)
    if entries is None:
        return None, ""
    if type(entries) is list and len(entries) == 1 and type(entries[0]) is dict:
        return entries[0], f"{where}.{key}[0]"  # the usual case, quickly
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise _Bad(f"{where}.{key}", "not a list of objects")
    if not entries:
        return None, ""
    index = next((i for i, e in enumerate(entries) if e.get("primary") is True), 0)
    return entries[index], f"{where}.{key}[{index}]"


def _status(entry: dict[str, Any], at: str) -> bool | None:
    status = entry.get("status")
    if status is None:
        return None
    if not isinstance(status, str) or status.lower() not in _SUBSCRIBED:
        raise _Bad(
            f"{at}.status", f"{status!r} is not subscribed, unsubscribed, bouncing or spam reports"
        )
    return _SUBSCRIBED[status.lower()]


def _custom(doc: dict[str, Any], where: str) -> dict[str, Any]:
    custom = doc.get("custom_fields", {})
    if isinstance(custom, list):  # some tools write [{"name": ..., "value": ...}]
        custom = {c.get("name"): c.get("value") for c in custom if isinstance(c, dict)}
    if not isinstance(custom, dict):
        raise _Bad(f"{where}.custom_fields", "not an object")
    return custom


def _flag(custom: dict[str, Any], key: str, where: str) -> bool | None:
    value = custom.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _Bad(f"{where}.custom_fields.{key}", f"{value!r} is not true or false")


def _add_person(gathered: Gathered, doc: Any, where: str, tags: Any) -> int:
    if not isinstance(doc, dict):
        raise _Bad(where, "a person is a JSON object")
    line = len(gathered.rows) + 1
    ladder_id, others = _identifiers(doc, where)
    row: dict[str, Any] = {"line": line}
    if ladder_id is not None:
        row["id"] = ladder_id
    if first := _text(doc, "given_name", where):
        row["first_name"] = first
    if last := _text(doc, "family_name", where):
        row["last_name"] = last
    custom = _custom(doc, where)
    email, at = _primary(doc, "email_addresses", where)
    consent = _flag(custom, ex.CONSENT["email"], where)
    if email is not None:
        if address := _text(email, "address", at):
            row["email"] = address
        consent = _status(email, at) if "status" in email else consent
    if consent is not None:
        row["consent_email"] = _YES_NO[consent]
    phone, at = _primary(doc, "phone_numbers", where)
    consent = _flag(custom, ex.CONSENT["sms"], where)
    if phone is not None:
        number = phone.get("number")
        if isinstance(number, int) and not isinstance(number, bool):
            number = str(number)
        if isinstance(number, str) and number.strip():
            row["phone"] = number.strip()
        elif number is not None and not isinstance(number, str):
            raise _Bad(f"{at}.number", "not text")
        consent = _status(phone, at) if "status" in phone else consent
    if consent is not None:
        row["consent_sms"] = _YES_NO[consent]
    if (photo := _flag(custom, ex.CONSENT["photo"], where)) is not None:
        row["consent_photo"] = _YES_NO[photo]
    postal, at = _primary(doc, "postal_addresses", where)
    if postal is not None and (postcode := _text(postal, "postal_code", at)):
        row["postcode"] = postcode
    recruiter = custom.get(ex.RECRUITER)
    if recruiter is not None:
        if not isinstance(recruiter, str):
            raise _Bad(f"{where}.custom_fields.{ex.RECRUITER}", "not text")
        own = recruiter.removeprefix("ladder:")
        row["recruited_by"] = f"#{own}" if own.isascii() and own.isdigit() else recruiter
    if tags is not None:
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise _Bad(f"{where}.add_tags", "not a list of tag names")
        row["tags"] = ",".join(tags)
    rung = custom.get(ex.RUNG)
    if rung is not None:
        if not isinstance(rung, str):
            raise _Bad(f"{where}.custom_fields.{ex.RUNG}", "not text")
        gathered.rungs[line] = rung
    if not row.keys() & {"id", "first_name", "last_name", "email", "phone"}:
        raise _Bad(
            where, "no given_name, family_name, email address or phone: nothing says who this is"
        )
    if others:
        gathered.identifiers[line] = others
    href = _links(doc, where).get("self") if doc.get("_links") else None
    if href is not None and not OWN_HREF.match(href):
        gathered.hrefs[href] = line
    gathered.rows.append(row)
    return line


def _add_tag(gathered: Gathered, doc: dict[str, Any], where: str) -> None:
    name = _text(doc, "name", where)
    if not name:
        raise _Bad(f"{where}.name", "a tag needs a name")
    if problem := text_problem(name, TAG):
        raise _Bad(f"{where}.name", problem)
    folded = fold(name) or name
    gathered.tags.setdefault(folded, name)
    if (href := _links(doc, where).get("self")) is not None:
        gathered.tag_hrefs[href] = folded


def _date(doc: dict[str, Any], key: str, where: str) -> datetime | None:
    value = doc.get(key)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise _Bad(f"{where}.{key}", f"{value!r} is not a date and time (2015-03-14T12:00:00Z)")
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _event(doc: dict[str, Any], where: str) -> EventDoc:
    ladder_id, others = _identifiers(doc, where)
    values: dict[str, Any] = {}
    title = _text(doc, "title", where) or _text(doc, "name", where)
    if title is not None:
        if problem := text_problem(title, TITLE):
            raise _Bad(f"{where}.title", problem)
        values["title"] = title
    if (starts := _date(doc, "start_date", where)) is not None:
        values["starts_at"] = starts
    if (ends := _date(doc, "end_date", where)) is not None:
        values["ends_at"] = ends
    if starts is not None and ends is not None and ends < starts:
        raise _Bad(f"{where}.end_date", "the event ends before it starts")
    status = doc.get("status")
    if status is not None:
        if status not in _EVENT_STATUS:
            raise _Bad(f"{where}.status", f"{status!r} is not confirmed, tentative or cancelled")
        values["status"] = _EVENT_STATUS[status]
    capacity = doc.get("capacity")
    if capacity is not None:
        if (
            not isinstance(capacity, int)
            or isinstance(capacity, bool)
            or not 0 <= capacity <= MAX_COUNT
        ):
            raise _Bad(f"{where}.capacity", f"{capacity!r} is not a number of places")
        values["capacity"] = capacity
    location = doc.get("location")
    if location is not None:
        if not isinstance(location, dict):
            raise _Bad(f"{where}.location", "not an object")
        if (venue := _text(location, "venue", f"{where}.location")) is not None:
            if problem := text_problem(venue, TITLE):
                raise _Bad(f"{where}.location.venue", problem)
            values["place"] = venue
        if (postcode := _text(location, "postal_code", f"{where}.location")) is not None:
            if problem := text_problem(postcode, 16):
                raise _Bad(f"{where}.location.postal_code", problem)
            values["postcode"] = normalise_postcode(postcode)
    custom = _custom(doc, where)
    if (kind := custom.get(ex.KIND)) is not None:
        if not isinstance(kind, str) or (problem := text_problem(kind, KIND)) or not kind:
            raise _Bad(f"{where}.custom_fields.{ex.KIND}", problem or "not a kind of event")
        values["kind"] = kind
    if (key_date := _flag(custom, ex.KEY_DATE, where)) is not None:
        values["key_date"] = key_date
    href = _links(doc, where).get("self")
    return EventDoc(where, values, others, ladder_id, href)


def _attendance(doc: dict[str, Any], where: str, line: int | None) -> Link:
    links = _links(doc, where)
    values: dict[str, Any] = {}
    status = doc.get("status")
    if status is not None:
        if not isinstance(status, str):
            raise _Bad(f"{where}.status", "not text")
        word = status.lower()
        if word not in _RSVP and word not in ("needs action", "needs_action"):
            raise _Bad(f"{where}.status", f"{status!r} is not accepted, tentative or declined")
        if word in _RSVP:
            values["rsvp"] = _RSVP[word]
            values["rsvp_at"] = _date(doc, "action_date", where)
    attended = doc.get("attended")
    if attended is not None:
        if not isinstance(attended, bool):
            raise _Bad(f"{where}.attended", f"{attended!r} is not true or false")
        values["presence"] = "attended" if attended else "no_show"
    person = line if line is not None else links.get("osdi:person")
    return Link(where, person, links.get("osdi:event"), values)

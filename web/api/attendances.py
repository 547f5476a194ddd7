"""Attendances, under an event or a person: list, get, update, and the record-attendance helper
(``POST /events/{id}/attendances``: one attendance per person and event, created or updated).

An attendance is an RSVP (``status``: accepted, tentative, declined) and a presence
(``attended``); created without either, it is an acceptance, as Action Network records one.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from ladder.access.tokens import Principal
from ladder.clock import utcnow
from ladder.errors import ConflictError, InputError, NotFoundError
from ladder.interop.osdi_export import ATTENDANCES_SELECT, LIVE, attendance_document
from ladder.interop.osdi_import import OsdiReport
from web.api import bodies
from web.api.common import Naming, Paging, collection, person_fields, read_one, read_page, write


def document(naming: Naming, row: Any) -> dict[str, Any]:
    found = attendance_document(row, naming.namespace, naming.href)
    aid, event = row[0], row[1]
    found["_links"] = {
        "self": {"href": naming.href(f"events/{event}/attendances/{aid}")},
        **found["_links"],
    }
    return found


def listed(
    request: Request, path: str, *, event: int | None = None, person: int | None = None
) -> dict[str, Any]:
    naming, paging = Naming.of(request), Paging.of(request)
    if request.query_params.get("filter"):
        raise InputError("filter: attendances are not filtered: filter people or events")
    owner = "a.event_id = :owner" if event is not None else "a.supporter_id = :owner"
    page = read_page(
        request,
        ATTENDANCES_SELECT,
        f"{LIVE} AND {owner}",
        "a.id",
        "attendances a JOIN supporters s ON s.id = a.supporter_id",
        paging,
        owner=event if event is not None else person,
    )
    documents = [document(naming, row) for row in page.rows]
    return collection(request, naming, paging, "attendances", path, documents, page.total)


def _row(
    request: Request, attendance: int, event: int | None, person: int | None
) -> tuple[Any, ...]:
    naming = Naming.of(request)
    where = f"{LIVE} AND a.id = :id"
    where += " AND a.event_id = :event" if event is not None else ""
    where += " AND a.supporter_id = :person" if person is not None else ""
    params: dict[str, Any] = {"id": attendance}
    params |= {"event": event} if event is not None else {}
    params |= {"person": person} if person is not None else {}
    row, _ = read_one(
        request,
        f"{ATTENDANCES_SELECT} WHERE {where}",
        "attendance",
        f"{naming.namespace}:{attendance}" + (f" of event {event}" if event else ""),
        **params,
    )
    return tuple(row)


def read(
    request: Request, attendance: int, *, event: int | None = None, person: int | None = None
) -> dict[str, Any]:
    return document(Naming.of(request), _row(request, attendance, event, person))


def _of(request: Request, event: int, person: int) -> dict[str, Any]:
    row, _ = read_one(
        request,
        f"{ATTENDANCES_SELECT} WHERE a.event_id = :event AND a.supporter_id = :person",
        "attendance",
        "of this person at this event",
        event=event,
        person=person,
    )
    return document(Naming.of(request), row)


def _dated(document: dict[str, Any]) -> dict[str, Any]:
    """An RSVP without its date is dated now (the importer keeps the date an RSVP is given)."""
    if document.get("status") is not None and document.get("action_date") is None:
        return {**document, "action_date": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")}
    return document


def _fields(document: dict[str, Any]) -> list[str]:
    names = ["rsvp"] if "status" in document else []
    names += ["presence"] if "attended" in document else []
    if isinstance(document.get("person"), dict):
        names += person_fields(
            {**document["person"], **({"add_tags": 1} if "add_tags" in document else {})}
        )
    return names


def _detail(report: OsdiReport) -> dict[str, Any]:
    return {"event": report.attendances[0][0]} if report.attendances else {}


def _linked(report: OsdiReport) -> None:
    if not report.attendances:
        raise NotFoundError("_links.osdi:person: no such person here: check the href")


def record(request: Request, who: Principal, body: Any, event: int) -> tuple[dict[str, Any], int]:
    """The record-attendance helper: the attendance of the person the body names (a
    ``person`` is matched or created as by the signup helper) at ``event``; returns the
    attendance document and 201 (created) or 200 (it was there: updated)."""
    given = bodies.checked(bodies.Attendance, body)
    links = dict(given.get("_links") or {})
    if given.get("person") is None and "osdi:person" not in links:
        raise InputError("_links.osdi:person: say whose attendance this is (or send a person)")
    naming = Naming.of(request)
    other = links.get("osdi:event")
    if isinstance(other, dict) and naming.localised(other).get("href") != f"events/{event}":
        raise InputError("_links.osdi:event: not the event of the URL: leave it out")
    links["osdi:event"] = {"href": f"events/{event}"}
    if given.get("status") is None and given.get("attended") is None:
        given = {**given, "status": "accepted"}
    document = _dated({**given, "_links": links})
    report = write(
        request,
        who,
        f"POST /events/{event}/attendances",
        document,
        fields=_fields(document),
        people=lambda report: [person for _, person in report.attendances],
        detail=_detail,
        check=_linked,
        event=event,
    )
    _, person = report.attendances[0]
    return _of(request, event, person), 201 if report.attendances_created else 200


def refuse_cancelled(status: str, event: int) -> None:
    if status == "cancelled":
        raise ConflictError(f"event {event} is cancelled: it takes no attendance")


def update(
    request: Request,
    who: Principal,
    body: Any,
    attendance: int,
    *,
    event: int | None = None,
    person: int | None = None,
) -> dict[str, Any]:
    given = bodies.checked(bodies.Attendance, body)
    if given.get("person") is not None:
        raise InputError("person: an update names no person: the URL says whose attendance")
    _, event_id, person_id, *_ = _row(request, attendance, event, person)
    links = {
        "osdi:event": {"href": f"events/{event_id}"},
        "osdi:person": {"href": f"people/{person_id}"},
    }
    document = _dated({**given, "_links": links})
    write(
        request,
        who,
        f"PUT /events/{event_id}/attendances/{attendance}",
        document,
        fields=_fields(document),
        people=lambda report: [person_id],
        detail=lambda report: {"event": event_id, "attendance": attendance},
        check=_linked,
    )
    return read(request, attendance)

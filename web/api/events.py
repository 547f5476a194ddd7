"""Events: ``/events`` (list, create), ``/events/{id}`` (get), and its attendances."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ladder.access.tokens import Principal
from ladder.errors import InputError
from ladder.interop.osdi_export import EVENTS_SELECT, event_document
from ladder.interop.osdi_import import OsdiReport
from web.api import attendances, bodies, filters
from web.api.common import Naming, Paging, collection, read_one, read_page, write
from web.deps import organiser, reader

router = APIRouter()
Reader = Annotated[Principal, Depends(reader)]
Organiser = Annotated[Principal, Depends(organiser)]
Body = Annotated[Any, Depends(bodies.json_body)]
FILTERS = {  # an event is not modified through ladder: created is its last change
    "modified_date": filters.Field("created_at", "date"),
    "created_date": filters.Field("created_at", "date"),
}
OTHERS = ("event_identifiers", "event_id")
# an event document's fields -> the event's (for the audit)
EVENT_FIELDS = {
    "title": "title",
    "name": "title",
    "start_date": "starts_at",
    "end_date": "ends_at",
    "status": "status",
    "capacity": "capacity",
    "location": "place",
    "identifiers": "identifiers",
    "custom_fields": "kind",
}


def document(naming: Naming, row: Any, others: list[str]) -> dict[str, Any]:
    found = event_document(row, others, naming.namespace, naming.href)
    attendances = {"href": naming.href(f"events/{row[0]}/attendances")}
    found["_links"]["osdi:attendances"] = attendances
    found["_links"]["osdi:record_attendance_helper"] = attendances
    return found


def _event_row(request: Request, event: int) -> tuple[Any, list[str]]:
    naming = Naming.of(request)
    return read_one(
        request,
        f"{EVENTS_SELECT} WHERE id = :id",
        "event",
        f"{naming.namespace}:{event}",
        OTHERS,
        id=event,
    )


def read_event(request: Request, event: int) -> dict[str, Any]:
    row, others = _event_row(request, event)
    return document(Naming.of(request), row, others)


@router.get("/events")
def list_events(request: Request, _who: Reader) -> dict[str, Any]:
    naming, paging = Naming.of(request), Paging.of(request)
    condition = filters.parse(request.query_params.get("filter"), FILTERS)
    page = read_page(request, EVENTS_SELECT, "1 = 1", "id", "events", paging, condition, OTHERS)
    documents = [document(naming, row, page.others.get(row[0], [])) for row in page.rows]
    return collection(request, naming, paging, "events", "events", documents, page.total)


@router.get("/events/{event}")
def get_event(request: Request, event: str, _who: Reader) -> dict[str, Any]:
    return read_event(request, Naming.of(request).own_id(event, "event"))


def _one_event(report: OsdiReport) -> None:
    if not report.event_ids:  # a document the importer did not see as an event
        raise InputError("start_date: a new event needs a title and a start_date")


@router.post("/events")
def create_event(request: Request, who: Organiser, body: Body) -> JSONResponse:
    """A new event (an event document naming a known one, by id or by the same title at the
    same start, updates it instead, as ``ladder import osdi`` does)."""
    given = bodies.checked(bodies.Event, body)
    report = write(
        request,
        who,
        "POST /events",
        given,
        fields=sorted({EVENT_FIELDS[key] for key in given if key in EVENT_FIELDS}),
        people=lambda report: [],
        detail=lambda report: {"event": report.event_ids[0]} if report.event_ids else {},
        check=_one_event,
    )
    status = 201 if report.events_created else 200
    return JSONResponse(read_event(request, report.event_ids[0]), status_code=status)


@router.get("/events/{event}/attendances")
def list_attendances(request: Request, event: str, _who: Reader) -> dict[str, Any]:
    event_id = Naming.of(request).own_id(event, "event")
    _event_row(request, event_id)
    return attendances.listed(request, f"events/{event_id}/attendances", event=event_id)


@router.post("/events/{event}/attendances")
def record_attendance(request: Request, event: str, who: Organiser, body: Body) -> JSONResponse:
    event_id = Naming.of(request).own_id(event, "event")
    row, _ = _event_row(request, event_id)
    attendances.refuse_cancelled(row[9], event_id)
    found, status = attendances.record(request, who, body, event_id)
    return JSONResponse(found, status_code=status)


@router.get("/events/{event}/attendances/{attendance}")
def get_attendance(request: Request, event: str, attendance: str, _who: Reader) -> dict[str, Any]:
    naming = Naming.of(request)
    event_id = naming.own_id(event, "event")
    return attendances.read(request, naming.own_id(attendance, "attendance"), event=event_id)


@router.put("/events/{event}/attendances/{attendance}")
def update_attendance(
    request: Request, event: str, attendance: str, who: Organiser, body: Body
) -> dict[str, Any]:
    naming = Naming.of(request)
    event_id = naming.own_id(event, "event")
    attendance_id = naming.own_id(attendance, "attendance")
    return attendances.update(request, who, body, attendance_id, event=event_id)

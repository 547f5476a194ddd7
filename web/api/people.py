"""People: ``/people`` (list, and the person signup helper), ``/people/{id}`` (get, update),
and a person's attendances (``/people/{id}/attendances``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ladder.access.tokens import Principal
from ladder.errors import InputError
from ladder.interop.osdi_export import LIVE, PEOPLE_SELECT, person_document
from web.api import attendances, bodies, filters
from web.api.common import Naming, Paging, collection, person_fields, read_one, read_page, write
from web.deps import organiser, reader

router = APIRouter()
Reader = Annotated[Principal, Depends(reader)]
Organiser = Annotated[Principal, Depends(organiser)]
Body = Annotated[Any, Depends(bodies.json_body)]
FILTERS = {
    "modified_date": filters.Field("COALESCE(s.updated_at, s.created_at)", "date"),
    "created_date": filters.Field("s.created_at", "date"),
    "email_address": filters.Field("s.email", "email", nullable=True),
}
OTHERS = ("supporter_identifiers", "supporter_id")


def document(naming: Naming, row: Any, others: list[str]) -> dict[str, Any]:
    found = person_document(row, others, naming.namespace, naming.href)
    found["_links"]["osdi:attendances"] = {"href": naming.href(f"people/{row[0]}/attendances")}
    return found


def read_person(request: Request, person: int) -> dict[str, Any]:
    naming = Naming.of(request)
    row, others = read_one(
        request,
        f"{PEOPLE_SELECT} WHERE {LIVE} AND s.id = :id",
        "person",
        f"{naming.namespace}:{person}",
        OTHERS,
        id=person,
    )
    return document(naming, row, others)


@router.get("/people")
def list_people(request: Request, _who: Reader) -> dict[str, Any]:
    naming, paging = Naming.of(request), Paging.of(request)
    condition = filters.parse(request.query_params.get("filter"), FILTERS)
    page = read_page(
        request, PEOPLE_SELECT, LIVE, "s.id", "supporters s", paging, condition, OTHERS
    )
    documents = [document(naming, row, page.others.get(row[0], [])) for row in page.rows]
    return collection(request, naming, paging, "people", "people", documents, page.total)


@router.get("/people/{person}")
def get_person(request: Request, person: str, _who: Reader) -> dict[str, Any]:
    return read_person(request, Naming.of(request).own_id(person, "person"))


@router.post("/people")
def signup(request: Request, who: Organiser, body: Body) -> JSONResponse:
    """The person signup helper: the person the document names (by email, then phone with an
    agreeing name: the people import's matching) gets its fields merged in; else a new one."""
    signup = bodies.checked(bodies.Signup, body)
    given = {**signup["person"], **({"add_tags": 1} if signup.get("add_tags") else {})}
    report = write(
        request,
        who,
        "POST /people",
        signup,
        fields=person_fields(given),
        people=lambda report: report.person_ids,
    )
    status = 201 if report.created else 200
    return JSONResponse(read_person(request, report.person_ids[0]), status_code=status)


@router.put("/people/{person}")
def update_person(request: Request, person: str, who: Organiser, body: Body) -> dict[str, Any]:
    naming = Naming.of(request)
    person_id = naming.own_id(person, "person")
    given = bodies.checked(bodies.Person, body)
    read_person(request, person_id)  # 404 for nobody
    identifiers = list(given.get("identifiers") or [])
    own = f"{naming.namespace}:{person_id}"
    for identifier in naming.localised({"identifiers": identifiers})["identifiers"]:
        if identifier.startswith("ladder:") and identifier != f"ladder:{person_id}":
            raise InputError(f"identifiers: {identifier} is not the person of the URL ({own})")
    document = {**given, "identifiers": [own, *identifiers]}
    write(
        request,
        who,
        f"PUT /people/{person_id}",
        {"person": document},
        fields=person_fields(given),
        people=lambda report: report.person_ids,
        ids_decide=True,
    )
    return read_person(request, person_id)


@router.get("/people/{person}/attendances")
def list_attendances(request: Request, person: str, _who: Reader) -> dict[str, Any]:
    person_id = Naming.of(request).own_id(person, "person")
    read_person(request, person_id)
    return attendances.listed(request, f"people/{person_id}/attendances", person=person_id)


@router.get("/people/{person}/attendances/{attendance}")
def get_attendance(request: Request, person: str, attendance: str, _who: Reader) -> dict[str, Any]:
    naming = Naming.of(request)
    person_id = naming.own_id(person, "person")
    return attendances.read(request, naming.own_id(attendance, "attendance"), person=person_id)


@router.put("/people/{person}/attendances/{attendance}")
def update_attendance(
    request: Request, person: str, attendance: str, who: Organiser, body: Body
) -> dict[str, Any]:
    naming = Naming.of(request)
    person_id = naming.own_id(person, "person")
    attendance_id = naming.own_id(attendance, "attendance")
    return attendances.update(request, who, body, attendance_id, person=person_id)

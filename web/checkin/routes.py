"""The check-in page's routes, all under the link: ``/checkin/<secret>``.

Without JavaScript the page is plain forms: a GET search, and POSTs that redirect back to the
page (POST-redirect-GET). With it, ``static/checkin.js`` searches as the volunteer types
(``search.json``), posts the same forms with ``Accept: application/json`` and keeps the counter
live (``status.json``). Every route first turns the secret into its event; nothing here takes
an event id from the request, and a form's ``event`` field naming another event is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ladder.clock import to_local
from ladder.errors import AccessError, InputError, LadderError
from ladder.events import volunteer
from ladder.events.checkin import CheckinResult
from ladder.events.door import DoorCandidate
from ladder.people.edit import FieldProblem, PersonFields
from ladder.workspace import Workspace
from web.checkin.masking import masked_email, masked_phone
from web.i18n import language, translator

router = APIRouter(prefix="/checkin")
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))

# The link is a secret in the URL: keep it out of caches, referrers and search engines.
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
}
RELATIONS = {
    "checked in": "rel_checked_in",
    "accepted": "rel_accepted",
    "tentative": "rel_tentative",
    "invited": "rel_invited",
    "declined": "rel_declined",
}
Field = Annotated[str, Form()]


def _workspace(request: Request) -> Workspace:
    found: Workspace = request.app.state.workspace
    return found


def _event_id(request: Request, secret: str) -> int:
    """The link's event; a bad link is 403 (there is no login that would make it good)."""
    try:
        return volunteer.event_of(_workspace(request).engine, secret)
    except AccessError as error:
        raise AccessError(str(error), forbidden=True) from None


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _lang(request: Request) -> str:
    return language(request.headers.get("accept-language"))


def _person_id(value: str) -> int:
    text = value.strip().lstrip("#")
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise InputError("person: give the id of someone from the search")
    return int(text)


def _same_event(event_id: int, form_event: str) -> None:
    """A form may name its event (the page's own forms do); another event is refused."""
    if form_event.strip() and form_event.strip().lstrip("#") != str(event_id):
        raise AccessError("this check-in link is for another event", forbidden=True)


def _found(candidate: DoorCandidate, t: Any) -> dict[str, Any]:
    person = candidate.person
    relation = RELATIONS.get(candidate.relation or "")
    return {
        "id": person.id,
        "name": person.name,
        "email": masked_email(person.email),
        "phone": masked_phone(person.phone),
        "relation": candidate.relation,
        "relation_label": t(relation) if relation else None,
        "checked_in": candidate.relation == "checked in",
    }


def _status(request: Request, event_id: int) -> dict[str, Any]:
    checked_in, accepted = volunteer.counts(_workspace(request).engine, event_id)
    return _counter(request, checked_in, accepted)


def _counter(request: Request, checked_in: int, accepted: int) -> dict[str, Any]:
    t = translator(_lang(request))
    return {
        "checked_in": checked_in,
        "accepted": accepted,
        "counter": t("counter", checked_in=checked_in, accepted=accepted),
    }


def _page(
    request: Request,
    secret: str,
    event_id: int,
    *,
    q: str = "",
    message: str | None = None,
    undo_id: int | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    workspace = _workspace(request)
    lang = _lang(request)
    t = translator(lang)
    door = volunteer.door(workspace.engine, event_id)
    results = [_found(c, t) for c in volunteer.search(workspace.engine, event_id, q)] if q else []
    context = {
        "lang": lang,
        "t": t,
        "base": f"/checkin/{secret}",
        "event": door.event,
        "when": f"{to_local(door.event.starts_at, workspace.zone):%Y-%m-%d %H:%M}",
        "counter": t("counter", checked_in=door.checked_in, accepted=door.accepted),
        "q": q,
        "searched": len(q.strip()) >= volunteer.MIN_TYPED,
        "results": results,
        "message": message,
        "undo_id": undo_id,
        "error": error,
        "form": form or {},
    }
    return templates.TemplateResponse(
        request, "checkin.html", context, status_code=status_code, headers=PRIVATE_HEADERS
    )


def error_page(request: Request, message: str, status_code: int) -> Response:
    """A refused link (or any ladder error on a page request) as a small HTML page."""
    t = translator(_lang(request))
    return templates.TemplateResponse(
        request,
        "checkin_error.html",
        {"lang": _lang(request), "t": t, "message": message},
        status_code=status_code,
        headers=PRIVATE_HEADERS,
    )


@router.get("/{secret}", response_class=HTMLResponse)
def page(
    request: Request, secret: str, q: str = "", done: str = "", state: str = ""
) -> HTMLResponse:
    event_id = _event_id(request, secret)
    t = translator(_lang(request))
    message, undo_id = None, None
    if done.isascii() and done.isdigit() and len(done) <= 18:
        person = volunteer.checked_in_here(_workspace(request).engine, event_id, int(done))
        if person is not None:  # only someone this link checked in: a typed id shows nobody
            key = state if state in ("already", "known") else "checked_in"
            message, undo_id = t(key, name=person.name), person.id
    elif state == "undone":
        message = t("undone")
    return _page(request, secret, event_id, q=q[:200], message=message, undo_id=undo_id)


@router.get("/{secret}/search.json")
def search_json(request: Request, secret: str, q: str = "") -> JSONResponse:
    event_id = _event_id(request, secret)
    t = translator(_lang(request))
    found = volunteer.search(_workspace(request).engine, event_id, q[:200])
    return JSONResponse(
        {"results": [_found(c, t) for c in found], "nobody": t("nobody")},
        headers=PRIVATE_HEADERS,
    )


@router.get("/{secret}/status.json")
def status_json(request: Request, secret: str) -> JSONResponse:
    event_id = _event_id(request, secret)
    return JSONResponse(_status(request, event_id), headers=PRIVATE_HEADERS)


def _done(
    request: Request,
    secret: str,
    event_id: int,
    result: CheckinResult,
    state: str,
    q: str = "",
    counter: tuple[int, int] | None = None,
) -> Response:
    """The answer to a tap: JSON for the page's script (with the live counter, ``counter``
    when the use case read it already), else a redirect back to the page."""
    if _wants_json(request):
        t = translator(_lang(request))
        live = _counter(request, *counter) if counter else _status(request, event_id)
        return JSONResponse(
            {
                "person": result.person.id,
                "state": state,
                "message": t(state, name=result.person.name),
                "undo": t("undo"),
                **live,
            },
            headers=PRIVATE_HEADERS,
        )
    query = {"done": str(result.person.id), "state": state} | ({"q": q} if q else {})
    return RedirectResponse(
        f"/checkin/{secret}?{urlencode(query)}", status_code=303, headers=PRIVATE_HEADERS
    )


def _refused(
    request: Request,
    secret: str,
    event_id: int,
    error: LadderError,
    q: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    from web.app import status_of  # noqa: PLC0415  (one translation of errors to statuses)

    status_code = status_of(error)
    if _wants_json(request) or isinstance(error, AccessError):
        raise error  # the app's handler: JSON, or the HTML error page for a refused link
    return _page(
        request, secret, event_id, q=q, error=str(error), form=form, status_code=status_code
    )


@router.post("/{secret}/in")
def check_in(
    request: Request, secret: str, person: Field = "", q: Field = "", event: Field = ""
) -> Response:
    event_id = _event_id(request, secret)
    workspace = _workspace(request)
    try:
        _same_event(event_id, event)
        done = volunteer.check_in_person(
            workspace.engine, workspace.ladder, event_id, _person_id(person)
        )
    except LadderError as error:
        return _refused(request, secret, event_id, error, q=q[:200])
    state = "already" if done.result.already else "checked_in"
    return _done(request, secret, event_id, done.result, state, q, (done.checked_in, done.accepted))


@router.post("/{secret}/undo")
def undo(request: Request, secret: str, person: Field = "", event: Field = "") -> Response:
    event_id = _event_id(request, secret)
    try:
        _same_event(event_id, event)
        volunteer.undo_check_in(_workspace(request).engine, event_id, _person_id(person))
    except LadderError as error:
        return _refused(request, secret, event_id, error)
    if _wants_json(request):
        t = translator(_lang(request))
        return JSONResponse(
            {"state": "undone", "message": t("undone"), **_status(request, event_id)},
            headers=PRIVATE_HEADERS,
        )
    return RedirectResponse(
        f"/checkin/{secret}?state=undone", status_code=303, headers=PRIVATE_HEADERS
    )


@router.post("/{secret}/walk-in")
def walk_in(
    request: Request,
    secret: str,
    first_name: Field = "",
    last_name: Field = "",
    contact: Field = "",
    postcode: Field = "",
    brought_by: Field = "",
    consent_email: Field = "",
    consent_sms: Field = "",
    consent_photo: Field = "",
    event: Field = "",
) -> Response:
    event_id = _event_id(request, secret)
    workspace = _workspace(request)
    t = translator(_lang(request))
    typed = {
        "first_name": first_name,
        "last_name": last_name,
        "contact": contact,
        "postcode": postcode,
        "brought_by": brought_by,
    }
    try:
        _same_event(event_id, event)
        fields = _walk_in_fields(typed, consent_email, consent_sms, consent_photo, t)
        done = volunteer.walk_in_person(
            workspace.engine,
            workspace.ladder,
            event_id,
            fields,
            recruited_by=brought_by.strip() or None,
        )
    except LadderError as error:
        return _refused(request, secret, event_id, error, form=typed)
    state = "known" if done.known else ("already" if done.result.already else "checked_in")
    return _done(request, secret, event_id, done.result, state)


def _walk_in_fields(
    typed: dict[str, str], consent_email: str, consent_sms: str, consent_photo: str, t: Any
) -> PersonFields:
    """The form's fields as a person: the contact is an email when it has an @, else a phone.
    A ticked box is a yes; an unticked one says nothing (the boxes start unticked)."""
    first, last = typed["first_name"].strip(), typed["last_name"].strip()
    contact = typed["contact"].strip()
    if not first and not last:
        raise InputError(t("need_name"))
    if not contact:
        raise InputError(t("need_contact"))
    values: dict[str, Any] = {
        "first_name": first or None,
        "last_name": last or None,
        "email": contact if "@" in contact else None,
        "phone": None if "@" in contact else contact,
        "postcode": typed["postcode"].strip() or None,
        "consent_email": True if consent_email else None,
        "consent_sms": True if consent_sms else None,
        "consent_photo": True if consent_photo else None,
    }
    try:
        return PersonFields(**values)
    except FieldProblem as exc:
        where = "contact" if exc.field in ("email", "phone") else exc.field
        raise InputError(f"{t(where)}: {exc.problem}") from None

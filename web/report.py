"""``GET /report``: the HTML report (``ladder report html``) for organiser and coordinator
tokens, sent as ``Authorization: Bearer <token>`` (or the API's ``OSDI-API-Token`` header).

Query: ``since`` (a date, 2026-01-01, or a number of days back, 90d), ``until`` (a date, not
included; default now), ``group`` (a local group's name or id), ``lang`` (``en`` or ``fr``;
default the browser's). The same window gives the same bytes as the command's file. Errors are
the API's one-line JSON bodies.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ladder.access.tokens import Principal, require_role
from ladder.clock import to_utc, utcnow
from ladder.domain.vocabulary import Role
from ladder.errors import InputError
from ladder.reports.window import report_window
from ladder.storage.engine import reading
from web.deps import principal, workspace
from web.i18n import language

router = APIRouter()
DAYS_AGO = re.compile(r"([0-9]{1,6})d")
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
}


def report_reader(request: Request) -> Principal:
    """An organiser's or a coordinator's token (401 without one)."""
    who = principal(request)
    require_role(who, Role.ORGANISER, Role.COORDINATOR)
    return who


@router.get("/report", response_class=HTMLResponse)
def report(
    request: Request,
    _who: Annotated[Principal, Depends(report_reader)],
    since: str | None = None,
    until: str | None = None,
    group: str | None = None,
    lang: str | None = None,
) -> HTMLResponse:
    from web.html_report.page import html_report
    from web.html_report.words import language_of

    found = workspace(request)
    zone = found.zone
    chosen = language_of(lang) if lang else language(request.headers.get("accept-language"))
    end = _moment("until", until, zone, days_ago=False) if until else utcnow()
    start = _moment("since", since, zone, days_ago=True) if since else None
    with reading(found.engine) as connection:
        window = report_window(connection, end, start, group)
        page = html_report(connection, found.ladder, window, zone, chosen)
    return HTMLResponse(page, headers=HEADERS)


def _moment(name: str, text: str, zone: tzinfo, days_ago: bool) -> datetime:
    """A date or time in the movement's zone (``2026-01-01``, ``2026-01-01T18:00``), or with
    ``days_ago`` a number of days back (``90d``), as naive UTC."""
    value = text.strip()
    days = DAYS_AGO.fullmatch(value) if days_ago else None
    if days:
        return utcnow() - timedelta(days=int(days.group(1)))
    try:
        typed = datetime.fromisoformat(value)
    except ValueError:
        ago = " or a number of days (90d)" if days_ago else ""
        raise InputError(f"{name}: {value!r} is not a date (2026-01-01){ago}") from None
    if not 1900 <= typed.year <= 2999:
        raise InputError(f"{name}: {value!r} is out of range")
    return to_utc(typed, zone)

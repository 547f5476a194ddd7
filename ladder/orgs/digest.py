"""`ladder orgs digest ORG`: the progress mail for one partner, ready to send personally.

What it holds, for the window from ``since`` to ``until``:

- the events its people came to in the window, and how many of them at each
  (:func:`ladder.orgs.show.events_attended`), and the events it co-organised there;
- each running campaign's progress against its goal (:mod:`ladder.campaigns.progress`): the
  count at ``until``, what the window added, the share of the goal and the projected date;
- the movement's headline figures over the window (:func:`ladder.reports.headline.headline`,
  the same numbers as `ladder report summary --since ... --until ...`);
- the next key dates after ``until`` (not cancelled, soonest first).

"Since the last digest": ``partner_organisations.last_digest_at`` is when a digest was last
written to a file for the organisation; the next window starts there (``--since`` overrides,
and the first digest covers :data:`FIRST_WINDOW`). Writing a file records ``until`` as the new
``last_digest_at``, in the same transaction; printing to the terminal (a preview) records
nothing. Nothing is sent: the text is for an organiser to read, adjust and send personally.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from ladder.campaigns.progress import campaign_progress
from ladder.domain.ladderfile import LadderFile
from ladder.domain.vocabulary import EventStatus, Presence
from ladder.errors import MisuseError
from ladder.orgs.manage import OrgRef, find_org
from ladder.orgs.show import events_attended
from ladder.reports.headline import figure_values, headline
from ladder.reports.window import Window
from ladder.storage.engine import reading
from ladder.storage.models import Attendance, Event, PartnerOrganisation

FIRST_WINDOW = timedelta(days=30)
KEY_DATES = 5  # how many coming key dates a digest names


@dataclass
class Digest:
    org: OrgRef
    since: datetime
    until: datetime
    attended: list[dict[str, Any]] = field(default_factory=list)  # id, title, starts, people
    partnered: list[dict[str, Any]] = field(default_factory=list)  # id, title, starts, attended
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)  # headline figures over the window
    key_dates: list[dict[str, Any]] = field(default_factory=list)  # title, starts, place

    @property
    def people_who_came(self) -> int:
        """Presences of its people over the window (one person at two events counts twice)."""
        return sum(int(e["people"]) for e in self.attended)


Movement = tuple[list[dict[str, Any]], dict[str, int], list[dict[str, Any]]]


def org_digest(
    connection: Connection,
    ladder: LadderFile,
    org: OrgRef,
    until: datetime,
    since: datetime | None = None,
    zone: tzinfo | None = None,
    movement: dict[datetime, Movement] | None = None,
) -> Digest:
    """One organisation's digest, read on the caller's connection. ``movement`` keeps what
    does not depend on the organisation (campaigns, headline figures, key dates) by start
    of window, so that `--all` reads it once, not once per partner."""
    if since is None:
        last = connection.execute(
            select(PartnerOrganisation.last_digest_at).where(PartnerOrganisation.id == org.id)
        ).scalar()
        since = last if last is not None and last < until else until - FIRST_WINDOW
    if since >= until:
        raise MisuseError("--since must be before the digest's end: give an earlier date")
    found = Digest(org, since, until)
    found.attended = events_attended(connection, org.id, since, until)
    found.partnered = _partnered(connection, org.id, since, until)
    shared = movement if movement is not None else {}
    if since not in shared:
        shared[since] = (
            _campaigns(connection, ladder, since, until, zone),
            figure_values(headline(connection, ladder, Window(until, since))),
            _key_dates(connection, until),
        )
    found.campaigns, found.figures, found.key_dates = shared[since]
    return found


def write_digests(
    engine: Engine,
    ladder: LadderFile,
    refs: list[str] | None,
    until: datetime,
    since: datetime | None,
    write: Callable[[Digest], None],
    *,
    record: bool,
    zone: tzinfo | None = None,
) -> list[Digest]:
    """The digests of the organisations ``refs`` names (None: every organisation), each
    handed to ``write``; with ``record``, each organisation's ``last_digest_at`` becomes
    ``until``, in the same transaction as the reads (a failed write records nothing)."""
    with engine.begin() if record else reading(engine) as connection:
        orgs = (
            [find_org(connection, r) for r in refs]
            if refs is not None
            else [
                OrgRef(i, n)
                for i, n in connection.execute(
                    select(PartnerOrganisation.id, PartnerOrganisation.name).order_by(
                        PartnerOrganisation.name
                    )
                )
            ]
        )
        movement: dict[datetime, Movement] = {}
        digests = [org_digest(connection, ladder, o, until, since, zone, movement) for o in orgs]
        for digest in digests:
            write(digest)
        if record and digests:
            connection.execute(
                update(PartnerOrganisation)
                .where(PartnerOrganisation.id.in_([o.id for o in orgs]))
                .values(last_digest_at=until)
            )
        return digests


def _partnered(
    connection: Connection, org_id: int, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    attended = func.count(Attendance.id).filter(Attendance.presence == Presence.ATTENDED)
    query = (
        select(Event.id, Event.title, Event.starts_at.label("starts"), attended.label("attended"))
        .outerjoin(Attendance, Attendance.event_id == Event.id)
        .where(
            Event.partner_id == org_id,
            Event.status != EventStatus.CANCELLED,
            Event.starts_at >= since,
            Event.starts_at < until,
        )
        .group_by(Event.id, Event.title, Event.starts_at)
        .order_by(Event.starts_at, Event.id)
    )
    return [dict(r._mapping) for r in connection.execute(query)]


def _campaigns(
    connection: Connection,
    ladder: LadderFile,
    since: datetime,
    until: datetime,
    zone: tzinfo | None,
) -> list[dict[str, Any]]:
    """Campaigns running in the window (not ended before it, started before its end)."""
    now = campaign_progress(connection, ladder, until, zone=zone)
    then = {p.campaign_id: p.count for p in campaign_progress(connection, ladder, since, zone=zone)}
    return [
        {
            "campaign": p.name,
            "goal": p.goal,
            "what": p.label,
            "count": p.count,
            "added": None if p.count is None else p.count - (then.get(p.campaign_id) or 0),
            "share": p.share,
            "projected_date": p.projected_date,
            "reached": p.reached_on is not None,
        }
        for p in now
        if (p.ends_on is None or p.ends_on >= since.date())
        and (p.starts_on is None or p.starts_on < until.date())
    ]


def _key_dates(connection: Connection, after: datetime) -> list[dict[str, Any]]:
    query = (
        select(Event.title, Event.starts_at.label("starts"), Event.place)
        .where(
            Event.key_date.is_(True),
            Event.status != EventStatus.CANCELLED,
            Event.starts_at >= after,
        )
        .order_by(Event.starts_at, Event.id)
        .limit(KEY_DATES)
    )
    return [dict(r._mapping) for r in connection.execute(query)]

"""Rows for each table of a generated movement, in the order they must be written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from seeds import rows as r
from seeds.activity import Actions
from seeds.calendar import EVENT_KINDS, PRESENCES, RSVPS, Attendances, Events
from seeds.pools import POSTCODES_PER_TOWN, Pools, email_slug
from seeds.population import DAY, SPAN_DAYS, Population

SEEDED_BY = "ladder seed"
VOLUNTEER = "demo-volunteer"
ORGANISER = "demo-organiser"
TAGS = ("jeunes", "parents", "enseignants", "étudiants", "bénévoles", "presse")
PARTNER_KINDS = ("école", "association", "mairie", "centre de loisirs", "lycée")
TITLES = {
    "fair": "Stand à la foire de {town}",
    "school": "Intervention au collège de {town}",
    "student_day": "Journée étudiante de {town}",
    "party": "Fête de quartier à {town}",
    "holiday_centre": "Animation au centre de loisirs de {town}",
    "key_date": "Journée #ZéroTolérance à {town}",
}
PARTNERED_KINDS = ("school", "holiday_centre", "student_day")
PETITION_DAYS = (-540, 90)  # the petition campaign runs from 18 months ago to 3 months ahead


@dataclass(frozen=True)
class People:
    """Per-supporter columns decided after the actions (the rung follows the evidence)."""

    first: np.ndarray  # index into pools.first_names
    last: np.ndarray
    level: np.ndarray
    rung_since: np.ndarray
    has_email: np.ndarray
    has_phone: np.ndarray
    consents: np.ndarray  # (n, 3) bool: email, sms, photo
    postcode: np.ndarray  # index into pools.postcodes


@dataclass(frozen=True)
class Movement:
    rung_names: list[str]
    pools: Pools
    population: Population
    people: People
    events: Events
    attendances: Attendances
    actions: Actions
    tags: tuple[np.ndarray, np.ndarray]  # (supporter index, tag index)
    event_partner: np.ndarray
    event_capacity: np.ndarray
    clock: r.Clock
    kind_ids: dict[str, int]
    phone_key: tuple[int, int]


def campaigns(m: Movement) -> list[r.Row]:
    start, end = PETITION_DAYS
    created = m.clock.texts(np.array([start * DAY - 7 * DAY]))[0]
    return [
        (
            1,
            "Pétition #ZéroTolérance",
            "Une pétition pour la tolérance zéro face aux violences.",
            m.clock.date_text(start * DAY),
            m.clock.date_text(end * DAY),
            created,
        ),
        (
            2,
            "Ambassadeurs #ZéroTolérance",
            "Recruter des ambassadeurs, messagers locaux du mouvement.",
            m.clock.date_text(start * DAY),
            None,
            created,
        ),
    ]


def campaign_goals(m: Movement) -> list[r.Row]:
    top = m.rung_names[-1]
    return [
        (1, 1, "actions:petition", "25 000 signatures", 25_000),
        (2, 2, f"rung:{top}", f"50 personnes au rang {top}", 50),
    ]


def local_groups(m: Movement) -> list[r.Row]:
    count = len(m.pools.towns)
    created = m.clock.texts(-(SPAN_DAYS + 30) * DAY + np.arange(count) * 3600)
    return [(i + 1, town, town, created[i]) for i, town in enumerate(m.pools.towns)]


def partner_organisations(m: Movement) -> list[r.Row]:
    groups = len(m.pools.towns)
    created = m.clock.texts(np.array([-(SPAN_DAYS + 20) * DAY]))[0]
    return [
        (
            i + 1,
            name,
            PARTNER_KINDS[i % len(PARTNER_KINDS)],
            f"contact@{email_slug(name)}.example.org",
            i % groups + 1,
            None,
            created,
        )
        for i, name in enumerate(m.pools.partner_names)
    ]


PARTNER_ROLES = ("élu·e", "chargé·e de mission", "direction", "animation", "enseignant·e")
PEOPLE_PER_PARTNER = 4
AFFILIATION_COLUMNS = ["supporter_id", "organisation_id", "role", "since", "created_at"]


def affiliations(m: Movement) -> list[r.Row]:
    """A few people of each partner's local group represent it, picked by position (every
    7th member of the group, from an offset per partner: no random draw, so every other table
    stays as it was), with a role each."""
    groups = len(m.pools.towns)
    created = m.clock.texts(np.array([-SPAN_DAYS * DAY]))[0]
    rows: list[r.Row] = []
    for i in range(len(m.pools.partner_names)):
        members = np.flatnonzero(m.population.group == i % groups)
        chosen = members[i // groups :: 7][:PEOPLE_PER_PARTNER]
        rows += [
            (int(person) + 1, i + 1, PARTNER_ROLES[(i + k) % len(PARTNER_ROLES)], None, created)
            for k, person in enumerate(chosen)
        ]
    return rows


def tags(m: Movement) -> list[r.Row]:
    return [(i + 1, name) for i, name in enumerate(TAGS)]


EVENT_COLUMNS = [
    "id", "title", "kind", "starts_at", "ends_at", "place", "postcode", "local_group_id",
    "campaign_id", "host_id", "partner_id", "capacity", "key_date", "status", "external_id",
    "closed_at", "created_at",
]  # fmt: skip


def events(m: Movement) -> Iterator[r.Row]:
    e, pools = m.events, m.pools
    towns = r.pick(pools.towns, e.group)
    kinds = r.pick(EVENT_KINDS, e.kind)
    status = np.where(e.cancelled, "cancelled", "confirmed")
    future = e.starts > 0
    status = np.where(future & (np.arange(len(future)) % 5 == 0), "tentative", status)
    closed = e.ends + DAY
    created = np.maximum(e.starts - (10 + np.arange(len(future)) % 30) * DAY, -SPAN_DAYS * DAY)
    columns = [
        list(range(1, len(towns) + 1)),
        [TITLES[k].format(town=t) for k, t in zip(kinds, towns, strict=True)],
        kinds,
        m.clock.texts(e.starts),
        m.clock.texts(e.ends),
        towns,
        r.pick(pools.postcodes, e.group * POSTCODES_PER_TOWN),
        r.ids(e.group),
        [1 if key else None for key in e.key_date.tolist()],
        r.ids(e.host),
        r.ids(m.event_partner),
        [c if c > 0 else None for c in m.event_capacity.tolist()],
        r.flags(e.key_date),
        status.tolist(),
        [None] * len(towns),
        m.clock.texts(closed, missing=(closed >= 0) | e.cancelled),
        m.clock.texts(created),
    ]
    return zip(*columns, strict=True)


ATTENDANCE_COLUMNS = [
    "id", "event_id", "supporter_id", "invited_at", "invited_by", "rsvp", "rsvp_at", "presence",
    "checked_in_at", "checked_in_by", "walk_in", "brought_by_id",
]  # fmt: skip


def attendances(m: Movement) -> Iterator[r.Row]:
    a = m.attendances
    rsvp_names = [*RSVPS, None]  # index -1 is no answer
    attended = a.attended

    def build(start: int, stop: int) -> list[list[Any]]:
        part = slice(start, stop)
        walk_in = a.walk_in[part]
        came = attended[part]
        return [
            list(range(start + 1, stop + 1)),
            r.ids(a.event[part]),
            r.ids(a.person[part]),
            m.clock.texts(a.invited_at[part], missing=walk_in),
            [None if w else ORGANISER for w in walk_in.tolist()],
            r.pick(rsvp_names, a.rsvp[part]),
            m.clock.texts(a.rsvp_at[part], missing=a.rsvp[part] < 0),
            r.pick(PRESENCES, a.presence[part]),
            m.clock.texts(a.checked_in_at[part], missing=~came),
            [VOLUNTEER if c else None for c in came.tolist()],
            r.flags(walk_in),
            r.ids(a.brought_by[part]),
        ]

    return r.chunked(len(a.event), build)


ACTION_COLUMNS = [
    "id", "supporter_id", "action_kind_id", "occurred_at", "event_id", "campaign_id",
    "logged_by", "created_at",
]  # fmt: skip


def actions(m: Movement) -> Iterator[r.Row]:
    a = m.actions
    kind_ids = [m.kind_ids[name] for name in a.kind_names]

    def build(start: int, stop: int) -> list[list[Any]]:
        part = slice(start, stop)
        occurred = m.clock.texts(a.occurred[part])
        event = r.ids(a.event[part])
        return [
            list(range(start + 1, stop + 1)),
            r.ids(a.person[part]),
            r.pick(kind_ids, a.kind[part]),
            occurred,
            event,
            r.ids(a.campaign[part]),
            [None if e is None else VOLUNTEER for e in event],
            occurred,
        ]

    return r.chunked(len(a.person), build)

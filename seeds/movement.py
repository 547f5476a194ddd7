"""Generate a realistic, deterministic demo movement and write it in bulk.

    summary = generate_movement(engine, ladder, 3000, 1, "fr_FR", datetime(2026, 11, 1))

Same people, seed, locale, ladder and anchor => byte-identical rows. One ``random`` source
(a numpy Generator seeded with ``seed``) and one Faker seeded with ``seed``; the wall clock is
never read. Writes go through ``copy_rows`` (driver executemany on SQLite, COPY on PostgreSQL)
in one transaction: a failure leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select

from ladder.domain.ladderfile import LadderFile
from ladder.errors import ConflictError, InputError
from ladder.progress import SILENT, Progress, counted
from ladder.storage import models
from ladder.storage.bulk import copy_rows, reset_id_sequence
from ladder.storage.firsts import refresh_first_actions
from ladder.storage.kinds import action_kind_ids, sync_action_kinds
from seeds import supporter_rows, tables
from seeds.activity import evidence, generate_actions, rung_since
from seeds.calendar import (
    EVENT_KINDS,
    Events,
    attendance_states,
    key_date_times,
    plan_events,
    sample_attendance,
)
from seeds.pools import POSTCODES_PER_TOWN, Pools, draw_pools
from seeds.population import DAY, Population, build_population, depths
from seeds.rows import Clock

PEOPLE_PER_GROUP = 220
MAX_GROUPS = 5_000

# (table, columns, rows) in foreign-key order; the ones with ids get their sequence reset.
WRITE_PLAN: list[tuple[Any, Sequence[str], Callable[[tables.Movement], Iterable[Any]]]] = [
    (models.LocalGroup, ["id", "name", "town", "created_at"], tables.local_groups),
    (
        models.PartnerOrganisation,
        ["id", "name", "kind", "contact_email", "local_group_id", "notes", "created_at"],
        tables.partner_organisations,
    ),
    (models.Tag, ["id", "name"], tables.tags),
    (
        models.Campaign,
        ["id", "name", "description", "starts_on", "ends_on", "created_at"],
        tables.campaigns,
    ),
    (
        models.CampaignGoal,
        ["id", "campaign_id", "metric", "label", "target"],
        tables.campaign_goals,
    ),
    (models.Supporter, supporter_rows.SUPPORTER_COLUMNS, supporter_rows.supporters),
    (models.SupporterTag, ["supporter_id", "tag_id"], supporter_rows.supporter_tags),
    (models.Affiliation, tables.AFFILIATION_COLUMNS, tables.affiliations),
    (models.ConsentRecord, supporter_rows.CONSENT_COLUMNS, supporter_rows.consent_records),
    (models.Event, tables.EVENT_COLUMNS, tables.events),
    (models.Attendance, tables.ATTENDANCE_COLUMNS, tables.attendances),
    (models.Action, tables.ACTION_COLUMNS, tables.actions),
    (models.LevelChange, supporter_rows.LEVEL_CHANGE_COLUMNS, supporter_rows.level_changes),
]
GENERATION_STEPS = ["pools", "people", "events", "actions"]


def generate_movement(
    engine: Engine,
    ladder: LadderFile,
    people: int,
    seed: int,
    locale: str,
    anchor: datetime,
    progress: Progress = SILENT,
) -> dict[str, Any]:
    """Fill an initialised, empty ladder database with a fake movement; returns a summary.

    ``anchor`` is the movement's "today": joins spread over the two years before it, events
    run to two months after it, and nothing is attended or done after it. ``progress`` sees
    three stages: generating (:data:`GENERATION_STEPS`), writing (rows of the big tables, by
    :data:`ladder.progress.EVERY`) and the statistics.
    """
    if people < 1:
        raise InputError(f"--people must be at least 1 (got {people})")
    refuse_unless_empty(engine)
    sync_action_kinds(engine, ladder)
    progress.start(f"Generating {people:,} supporters", len(GENERATION_STEPS))
    movement = build_movement(ladder, people, seed, locale, anchor, progress)
    movement = _with_kind_ids(movement, action_kind_ids(engine))
    counts = write_movement(engine, movement, progress)
    progress.start("Updating the database's statistics", 1)
    refresh_statistics(engine)
    progress.advance()
    progress.finish()
    return summarise(movement, counts, seed, locale, anchor)


def refresh_statistics(engine: Engine) -> None:
    """ANALYZE after a bulk load: without statistics SQLite's planner picks the rung index over
    the recruiter index for per-person rule queries (127 ms instead of 18 ms at 1M).

    On PostgreSQL a bare ANALYZE would take every table of the whole database, other schemas
    included (other movements, or tests running at the same time, which it deadlocked with): it
    names ladder's own tables, found through the connection's search path."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(sorted(models.Base.metadata.tables))
            connection.exec_driver_sql(f"ANALYZE {names}")
        else:
            connection.exec_driver_sql("ANALYZE")


def refuse_unless_empty(engine: Engine) -> None:
    """One line and no write when the database already holds a movement."""
    with engine.connect() as connection:
        for model in (models.Supporter, models.Event, models.LocalGroup, models.Campaign):
            count = connection.scalar(select(func.count()).select_from(model))
            if count:
                raise ConflictError(
                    f"the database already holds {count:,} {model.__tablename__.replace('_', ' ')}"
                    ": seed a new database (`ladder --db new.db init`, then seed it there)"
                )


def build_movement(
    ladder: LadderFile,
    people: int,
    seed: int,
    locale: str,
    anchor: datetime,
    progress: Progress = SILENT,
) -> tables.Movement:
    """The movement in memory; ``progress`` advances once per :data:`GENERATION_STEPS`."""
    rng = np.random.default_rng(seed)
    groups = min(MAX_GROUPS, max(3, round(people / PEOPLE_PER_GROUP)))
    pools = draw_pools(locale, seed, groups)
    progress.advance()  # pools
    population = build_population(rng, people, groups, key_date_times(), len(ladder.rungs))
    progress.advance()  # people
    events = plan_events(rng, population, groups)
    event, person = sample_attendance(rng, population, events, len(ladder.rungs))
    attendances = attendance_states(rng, events, event, person, population.joined)
    progress.advance()  # events
    window = (tables.PETITION_DAYS[0] * DAY, tables.PETITION_DAYS[1] * DAY)
    actions = generate_actions(rng, ladder, population, events, attendances, window)
    progress.advance()  # actions
    level = final_levels(population.level, evidence(actions, ladder, people))
    return tables.Movement(
        rung_names=ladder.rung_names,
        pools=pools,
        population=population,
        people=_people(
            rng, pools, population, level, rung_since(actions, ladder, level, population.joined)
        ),
        events=events,
        attendances=attendances,
        actions=actions,
        tags=_tags(rng, people),
        event_partner=_event_partners(rng, events, len(pools.partner_names)),
        event_capacity=_capacities(rng, events),
        clock=Clock(anchor),
        kind_ids={},
        phone_key=(int(rng.integers(1, 10**7)) * 10 + 3, int(rng.integers(0, 10**8))),
    )


def final_levels(planned: np.ndarray, evidence: np.ndarray) -> np.ndarray:
    """The highest rung at or below the planned one that the supporter has evidence for."""
    rungs = evidence.shape[1]
    allowed = evidence & (np.arange(rungs) <= planned[:, None])
    return rungs - 1 - np.argmax(allowed[:, ::-1], axis=1)


def _people(
    rng: np.random.Generator,
    pools: Pools,
    population: Population,
    level: np.ndarray,
    since: np.ndarray,
) -> tables.People:
    n = len(level)
    postcode = population.group * POSTCODES_PER_TOWN + rng.integers(0, POSTCODES_PER_TOWN, n)
    has_email = rng.random(n) < 0.9
    has_phone = rng.random(n) < 0.65
    consents = np.stack(
        [
            has_email & (rng.random(n) < 0.75),
            has_phone & (rng.random(n) < 0.45),
            rng.random(n) < 0.3,
        ],
        axis=1,
    )
    return tables.People(
        first=_zipf_choice(rng, len(pools.first_names), n),
        last=_zipf_choice(rng, len(pools.last_names), n),
        level=level,
        rung_since=since,
        has_email=has_email,
        has_phone=has_phone,
        consents=consents,
        postcode=postcode,
    )


def _zipf_choice(rng: np.random.Generator, size: int, n: int) -> np.ndarray:
    """Common names are common: weights 1 / (rank + 10)."""
    weights = 1.0 / (np.arange(size) + 10.0)
    return rng.choice(size, size=n, p=weights / weights.sum())


def _tags(rng: np.random.Generator, people: int) -> tuple[np.ndarray, np.ndarray]:
    count = np.where(rng.random(people) < 0.3, 1, 0) + np.where(rng.random(people) < 0.08, 1, 0)
    person = np.repeat(np.arange(people), count)
    first = rng.integers(0, len(tables.TAGS), len(person))
    second = np.concatenate([[False], person[1:] == person[:-1]])
    tag = np.where(second, (np.roll(first, 1) + 1 + first % 3) % len(tables.TAGS), first)
    return person, tag


def _event_partners(rng: np.random.Generator, events: Events, partners: int) -> np.ndarray:
    partnered = np.isin(events.kind, [EVENT_KINDS.index(k) for k in tables.PARTNERED_KINDS])
    chosen = rng.integers(0, partners, len(events.kind))
    return np.where(partnered & (rng.random(len(chosen)) < 0.7), chosen, -1)


def _capacities(rng: np.random.Generator, events: Events) -> np.ndarray:
    sizes = rng.choice([30, 50, 80, 120], size=len(events.kind))
    return np.where(~events.key_date & (rng.random(len(sizes)) < 0.4), sizes, -1)


def _with_kind_ids(movement: tables.Movement, kind_ids: dict[str, int]) -> tables.Movement:
    return replace(movement, kind_ids=kind_ids)


def write_movement(
    engine: Engine, movement: tables.Movement, progress: Progress = SILENT
) -> dict[str, int]:
    """Write every table of WRITE_PLAN in one transaction; ``progress`` counts the rows of
    the big tables (:func:`expected_rows`), the small ones are not worth a step."""
    counts: dict[str, int] = {}
    expected = expected_rows(movement)
    people = len(movement.people.level)
    progress.start(f"Writing {people:,} supporters", sum(expected.values()))
    with engine.begin() as connection:
        for model, columns, build in WRITE_PLAN:
            table = model.__table__
            rows = build(movement)
            if table.name in expected:
                rows = counted(rows, progress)
            counts[table.name] = copy_rows(connection, table, columns, rows)
            if "id" in columns:
                reset_id_sequence(connection, table)
            if model is models.Action:
                refresh_first_actions(connection, None)  # each person's first action
    return counts


def expected_rows(movement: tables.Movement) -> dict[str, int]:
    """The rows the big tables get, known before they are written (for the progress bar)."""
    people = movement.people
    return {
        "supporters": len(people.level),
        "supporter_tags": len(movement.tags[0]),
        "consent_records": int(people.consents.sum()),
        "attendances": len(movement.attendances.event),
        "actions": len(movement.actions.person),
    }


def summarise(
    movement: tables.Movement, counts: dict[str, int], seed: int, locale: str, anchor: datetime
) -> dict[str, Any]:
    level = movement.people.level
    return {
        "seed": seed,
        "locale": locale,
        "anchor": anchor.isoformat(sep=" "),
        "rows": counts,
        "rungs": {name: int((level == i).sum()) for i, name in enumerate(movement.rung_names)},
        "lapsed": int(movement.population.lapsed.sum()),
        "recruited": int((movement.population.recruiter >= 0).sum()),
        "deepest_chain": int(depths(movement.population.recruiter).max()),
    }

"""`ladder next` on the demo dataset, against the best hand-written SQL for the same list.

Rows (each in one fresh process: 1 warm-up, then the median of 20 calls of each side,
interleaved, so both see the same machine; goal: median < 100 ms on SQLite, ratio <= 1.5x):

- ``ladder next --group G --limit 50`` for the largest group (the worst case), a group the size
  of #ZéroTolérance (the one closest to 2,650 people: a movement's large local group) and a
  group of median size (the usual case);
- ``ladder next --event E --limit 50`` for the first field event at the dataset's anchor.

The project side is the whole service call (resolving names, the ranking statement, and the
reasons for the 50 people listed). The hand-written side is one SQL statement computing the
same score for the same candidates (correlated index lookups per candidate, the fastest shape
measured on both databases), without reasons. The note says whether both lists agree.

    python -m bench next --people 1000000 [--backend postgresql]
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, bindparam, text

from bench.datasets import ensure_dataset
from bench.harness import BenchOptions, Row, benchmark, run_isolated

CALLS = 20
LIMIT = 50
MOVEMENT_SIZE = 2_650  # #ZéroTolérance's engaged people (shared/reference)


@benchmark("next")
def run(options: BenchOptions) -> list[Row]:
    dataset = ensure_dataset(options)
    args = {"url": dataset.url, "as_of": dataset.anchor.isoformat()}
    picks = run_isolated("bench.bench_next:pick", **args).result
    rows = []
    for label, kind, value in [
        (f"largest group, {picks['largest'][1]:,} people", "group", picks["largest"][0]),
        (f"group of {picks['movement'][1]:,} people", "group", picks["movement"][0]),
        (f"median group, {picks['median'][1]:,} people", "group", picks["median"][0]),
        (f"field event #{picks['event']}", "event", str(picks["event"])),
    ]:
        measured = run_isolated("bench.bench_next:compare", kind=kind, value=value, **args)
        result = measured.result
        rows.append(
            Row(
                f"ladder next --{kind} --limit {LIMIT}: {label} ({options.backend})",
                dataset.people,
                result["project"],
                result["hand"],
                "hand-written SQL, same list",
                measured.peak_mib,
                f"median of {CALLS}; p90 {result['p90'] * 1000:.0f} ms; "
                f"same list: {result['same']}",
            )
        )
    return rows


def pick(url: str, as_of: str) -> dict[str, Any]:
    """The largest group, the group closest to #ZéroTolérance's size, a group of median size,
    and the first field event at the anchor."""
    from ladder.storage.engine import make_engine

    engine = make_engine(url)
    sizes = """SELECT g.name, count(*) AS n FROM supporters s JOIN local_groups g
               ON g.id = s.local_group_id GROUP BY g.name ORDER BY n DESC, g.name"""
    event = """SELECT id FROM events WHERE starts_at >= :t AND status = 'confirmed'
               AND key_date = :no AND local_group_id IS NOT NULL AND postcode IS NOT NULL
               ORDER BY starts_at, id LIMIT 1"""
    with engine.connect() as connection:
        groups = [tuple(row) for row in connection.execute(text(sizes))]
        when = text(event).bindparams(bindparam("t", type_=DateTime()))
        first = connection.execute(when, {"t": datetime.fromisoformat(as_of), "no": False})
        event_id = first.scalar_one()
    engine.dispose()
    movement = min(groups, key=lambda group: (abs(group[1] - MOVEMENT_SIZE), group[0]))
    return {
        "largest": groups[0],
        "movement": movement,
        "median": groups[len(groups) // 2],
        "event": event_id,
    }


def compare(url: str, as_of: str, kind: str, value: str) -> dict[str, Any]:
    """Median seconds of the service and of the hand-written statement, interleaved."""
    from ladder.domain.ladderfile import default_ladder_path, load_ladder
    from ladder.invitations.suggest import NextRequest, suggest
    from ladder.storage.engine import make_engine

    engine, ladder = make_engine(url), load_ladder(default_ladder_path())
    when = datetime.fromisoformat(as_of)
    request = NextRequest(limit=LIMIT, as_of=when, **{kind: value})
    project: list[float] = []
    hand: list[float] = []
    for call in range(CALLS + 1):
        start = time.perf_counter()
        listed = suggest(engine, ladder, request, "bench").suggestions
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        expected = hand_written(engine, kind, value, when)
        if call:  # the first call of each builds and caches its statements
            project.append(elapsed)
            hand.append(time.perf_counter() - start)
    ours = [s.id for s in listed]
    same = "yes" if ours == expected else f"{len(set(ours) & set(expected))} of {LIMIT} in common"
    project.sort()
    return {
        "project": statistics.median(project),
        "hand": statistics.median(hand),
        "p90": project[int(len(project) * 0.9)],
        "same": same,
    }


def hand_written(engine: Any, kind: str, value: str, t: datetime) -> list[int]:
    """The same list in one hand-written statement (default ladder, default settings)."""
    postgres = engine.dialect.name == "postgresql"
    sql = _SQL.format(
        days="CAST(floor(EXTRACT(EPOCH FROM (:t - last_at)) / 86400) AS INTEGER)"
        if postgres
        else "CAST(julianday(:t) - julianday(last_at) AS INTEGER)",
        least="least" if postgres else "min",
        greatest="greatest" if postgres else "max",
        # halves up, as the project ranks (PostgreSQL's round() takes halves to even)
        half_up="floor" if postgres else "CAST",
        close="" if postgres else " AS INTEGER",
        candidates=_GROUP if kind == "group" else _EVENT,
        proximity="1.0" if kind == "group" else _NEAR,
        event_filter="" if kind == "group" else _NOT_ASKED,
    )
    times = {f"t{d}": t - timedelta(days=d) for d in (14, 60, 90, 180)}
    params: dict[str, Any] = {"t": t, **times, "limit": LIMIT}
    with engine.connect() as connection:
        if kind == "group":
            params["g"] = connection.execute(
                text("SELECT id FROM local_groups WHERE name = :name"), {"name": value}
            ).scalar_one()
            params["rungs"] = ["follow", "attend"]
        else:
            row = connection.execute(
                text("SELECT local_group_id, postcode FROM events WHERE id = :e"), {"e": int(value)}
            ).one()
            params.update(e=int(value), g=row[0], low=row[1][:3], high=row[1][:3] + "\U0010ffff")
        statement = text(sql).bindparams(
            *(bindparam(k, type_=DateTime()) for k in ("t", *times)),
            *([bindparam("rungs", expanding=True)] if kind == "group" else []),
        )
        return list(connection.execute(statement, params).scalars())


_GROUP = "SELECT id FROM supporters WHERE local_group_id = :g AND rung IN :rungs"
_EVENT = """SELECT id FROM supporters WHERE local_group_id = :g AND rung = 'follow'
    UNION SELECT id FROM supporters WHERE postcode >= :low AND postcode < :high
    AND rung || '' = 'follow'"""
_NEAR = """CASE WHEN c.local_group_id = :g THEN 1.0
    WHEN c.postcode >= :low AND c.postcode < :high THEN 0.5 ELSE 0.0 END"""
_NOT_ASKED = """AND NOT EXISTS (SELECT 1 FROM attendances a WHERE a.supporter_id = c.id
    AND a.event_id = :e AND (a.invited_at IS NOT NULL OR a.rsvp IS NOT NULL
    OR a.presence = 'attended'))"""
_ATTEND = """(SELECT id FROM action_kinds WHERE name IN
    ('event_attendance', 'mass_action', 'photos', 'live_post', 'education_session'))"""
_MOBILISE = """(SELECT id FROM action_kinds WHERE name IN
    ('host_event', 'share_toolkit', 'recruit', 'lead_group', 'signup_sheets'))"""
_SQL = (
    """
WITH x AS MATERIALIZED (
  SELECT c.id, c.rung, c.status,
    (SELECT count(*) FROM attendances a JOIN events e ON e.id = a.event_id
     WHERE a.supporter_id = c.id AND a.presence = 'attended' AND e.status <> 'cancelled'
       AND e.starts_at >= :t90 AND e.starts_at <= :t) AS att90,
    (SELECT count(*) FROM actions a WHERE a.supporter_id = c.id AND a.occurred_at >= :t90
       AND a.occurred_at <= :t AND a.action_kind_id IN """
    + _ATTEND
    + """) AS a90,
    (SELECT count(*) FROM events e WHERE e.host_id = c.id AND e.status <> 'cancelled'
       AND e.starts_at <= :t) AS hosted,
    (SELECT count(*) FROM supporters r WHERE r.recruiter_id = c.id AND r.status <> 'erased'
       AND r.merged_into_id IS NULL AND r.created_at <= :t
       AND r.rung || '' IN ('attend', 'mobilise')) AS recruits,
    (SELECT count(*) FROM actions a WHERE a.supporter_id = c.id AND a.occurred_at >= :t180
       AND a.occurred_at <= :t AND a.action_kind_id IN """
    + _MOBILISE
    + """) AS m180,
    (SELECT count(*) FROM actions a WHERE a.supporter_id = c.id AND a.occurred_at > :t90
       AND a.occurred_at <= :t) AS f90,
    (SELECT max(a.occurred_at) FROM actions a WHERE a.supporter_id = c.id
       AND a.occurred_at <= :t) AS last_at,
    {proximity} AS proximity,
    CASE WHEN r.status = 'erased' OR r.merged_into_id IS NOT NULL THEN 0.0
         WHEN r.rung = 'attend' THEN 0.5 WHEN r.rung = 'mobilise' THEN 1.0 ELSE 0.0 END AS rec
  FROM supporters c LEFT JOIN supporters r ON r.id = c.recruiter_id
  WHERE c.id IN ({candidates}) AND c.status <> 'erased' AND c.merged_into_id IS NULL
    AND c.created_at <= :t AND c.consent_email AND c.email IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.supporter_id = c.id
                    AND k.contacted_at > :t14)
    AND NOT EXISTS (SELECT 1 FROM attendances a WHERE a.supporter_id = c.id
                    AND a.invited_at > :t14)
    AND NOT EXISTS (SELECT 1 FROM attendances a WHERE a.supporter_id = c.id
                    AND a.rsvp = 'declined' AND a.rsvp_at > :t60)
    {event_filter}
)
SELECT id FROM x ORDER BY {half_up}((  -- doubles: PostgreSQL's 7 / 10.0 is numeric
  CASE WHEN status <> 'active' THEN 0.0
       WHEN rung = 'follow' THEN {greatest}(
         {least}(CAST(att90 AS DOUBLE PRECISION) / 2.0, 1.0),
         {least}(CAST(a90 AS DOUBLE PRECISION) / 3.0, 1.0))
       ELSE {greatest}(
         {least}(CAST(hosted AS DOUBLE PRECISION) / 1.0, 1.0),
         {least}(CAST(recruits AS DOUBLE PRECISION) / 3.0, 1.0),
         {least}(CAST(m180 AS DOUBLE PRECISION) / 3.0, 1.0)) END * 0.4
  + coalesce({greatest}(0.0, 1.0 - CAST({days} AS DOUBLE PRECISION) / 180.0), 0.0) * 0.25
  + {least}(CAST(f90 AS DOUBLE PRECISION) / 10.0, 1.0) * 0.15
  + proximity * 0.1 + rec * 0.1) * 1000 + 0.5{close}) DESC, id
LIMIT :limit
"""
)

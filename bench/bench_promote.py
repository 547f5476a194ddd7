"""`ladder promote` on the demo dataset, against hand-written SQL doing the same rules.

Rows (each measured in a fresh process, median of --repeat runs; every run is a transaction
that is rolled back, so the cached dataset never changes and both sides skip the commit;
on PostgreSQL the dataset's tables are ANALYZEd first, for both sides):

- promote, default ladder: ``ladder.rules.promote`` (evidence JSON, attached ids; no recruit
  chain pass, which the default rules cannot need: see ``chains_after_first_pass``) against the
  same three rules written by hand as ``IN (SELECT ... GROUP BY ... HAVING ...)`` statements
  with no evidence, the shape PERFORMANCE.md measured;
- a naive per-supporter ORM loop, on a 10k sample, scaled to the dataset (why set-based SQL);
- one person after a check-in (``apply_person``), warm, median of 200, against the 20 ms goal.

    python -m bench promote --people 1000000 [--backend postgresql]
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Engine, bindparam, func, select, text
from sqlalchemy.orm import Session

from bench.datasets import ensure_dataset
from bench.harness import BenchOptions, Row, benchmark, run_isolated
from ladder.domain.ladderfile import LadderFile, default_ladder_path, load_ladder
from ladder.rules import apply_person, promote  # imported before the clock starts, as the
from ladder.storage.engine import make_engine  # limit's own imports are (start-up is apart)

NAIVE_SAMPLE = 10_000
PER_PERSON = 200


@benchmark("promote")
def run(options: BenchOptions) -> list[Row]:
    dataset = ensure_dataset(options)
    if options.backend == "postgresql":
        _analyze(dataset.url)
    args = {"url": dataset.url, "as_of": dataset.anchor.isoformat()}
    project = _median(options.repeat, "bench.bench_promote:project_promote", args)
    limit = _median(options.repeat, "bench.bench_promote:hand_written_promote", args)
    naive = run_isolated("bench.bench_promote:naive_orm_loop", sample=NAIVE_SAMPLE, **args)
    person = run_isolated("bench.bench_promote:per_person", count=PER_PERSON, **args)
    scale = dataset.people / NAIVE_SAMPLE
    return [
        Row(
            f"ladder promote, default ladder ({options.backend})",
            dataset.people,
            project.seconds,
            limit.seconds,
            "hand-written SQL, same rules",
            project.peak_mib,
            f"{project.result:,} changes, with evidence; SQL: {limit.result:,}, no evidence",
        ),
        Row(
            f"naive ORM loop per supporter, {NAIVE_SAMPLE:,} sample x{scale:g}",
            dataset.people,
            naive.seconds * scale,
            project.seconds,
            "ladder promote",
            naive.peak_mib,
            f"measured {naive.seconds:.1f} s on {NAIVE_SAMPLE:,}",
        ),
        Row(
            "apply_person after a check-in (warm, median)",
            dataset.people,
            person.result["median"],
            0.020,
            "goal: 20 ms",
            person.peak_mib,
            f"p90 {person.result['p90'] * 1000:.1f} ms over {PER_PERSON} people",
        ),
    ]


ANALYZED = ("supporters", "actions", "attendances", "events", "level_changes", "supporter_tags")


def _analyze(url: str) -> None:
    """Planner statistics for a freshly COPYed dataset (autovacuum may be off, as here).

    Without them PostgreSQL estimates one row per subquery and nests loops: minutes, for
    the engine and the hand-written SQL alike. Only statistics change, never rows.
    """
    engine = make_engine(url)
    with engine.begin() as connection:
        for table in ANALYZED:
            connection.execute(text(f"ANALYZE {table}"))
    engine.dispose()


def _median(repeat: int, target: str, args: dict[str, Any]) -> Any:
    runs = sorted((run_isolated(target, **args) for _ in range(max(1, repeat))), key=_seconds)
    return runs[len(runs) // 2]


def _seconds(measurement: Any) -> float:
    return float(measurement.seconds)


def _open(url: str) -> tuple[Engine, LadderFile]:
    return make_engine(url), load_ladder(default_ladder_path())


def project_promote(url: str, as_of: str) -> int:
    """The whole default ladder through the engine; rolled back (a dry run)."""
    engine, ladder = _open(url)
    report = promote(engine, ladder, datetime.fromisoformat(as_of), dry_run=True)
    return report.total


def per_person(url: str, as_of: str, count: int) -> dict[str, float]:
    """apply_person for people who came to recent events, each in a rolled-back transaction."""
    from ladder.storage.models import Attendance

    engine, ladder = _open(url)
    with engine.connect() as connection:
        query = (
            select(Attendance.supporter_id)
            .where(Attendance.presence == "attended")
            .order_by(Attendance.id.desc())
            .limit(count)
        )
        people = list(connection.execute(query).scalars())
    times = []
    when = datetime.fromisoformat(as_of)
    for index, supporter_id in enumerate([people[0], *people]):
        with engine.connect() as connection:
            transaction = connection.begin()
            start = time.perf_counter()
            apply_person(connection, ladder, supporter_id, when)
            elapsed = time.perf_counter() - start
            transaction.rollback()
        if index:  # the first call builds the statements once per process
            times.append(elapsed)
    times.sort()
    return {"median": statistics.median(times), "p90": times[int(len(times) * 0.9)]}


def hand_written_promote(url: str, as_of: str) -> int:
    """The default ladder's rules as plain SQL statements; rolled back."""
    engine, ladder = _open(url)
    t = datetime.fromisoformat(as_of)
    times = {"t": t, "t90": t - timedelta(days=90), "t180": t - timedelta(days=180)}
    times["t30"] = t - timedelta(days=30)
    with engine.connect() as connection:
        transaction = connection.begin()
        if engine.dialect.name == "postgresql":  # as the engine does: see rules.engine
            connection.exec_driver_sql("SET LOCAL jit = off")
        kinds: dict[str, int] = dict(
            connection.execute(text("SELECT name, id FROM action_kinds")).all()
        )
        attend = ", ".join(str(kinds[k.name]) for k in ladder.kinds_for("attend"))
        mobilise = ", ".join(str(kinds[k.name]) for k in ladder.kinds_for("mobilise"))
        for sql in _statements(attend, mobilise):
            statement = text(sql).bindparams(
                *(bindparam(name, type_=DateTime()) for name in times if f":{name}" in sql)
            )
            connection.execute(statement, {k: v for k, v in times.items() if f":{k}" in sql})
        changed = connection.execute(
            text("SELECT count(*) FROM level_changes WHERE changed_at = :t").bindparams(
                bindparam("t", type_=DateTime())
            ),
            {"t": t},
        ).scalar_one()
        transaction.rollback()
    return int(changed)


_LAPSED = "SELECT id FROM supporters WHERE status = 'lapsed'"


def _RECENT_OF(person: str) -> str:  # noqa: N802 - reads as the SQL fragment it is
    """Activity of ``person`` in the last 180 days, as index probes that stop at the first row
    (measured faster than an anti-join with the UNION of everyone's, on both databases)."""
    return f"""(EXISTS (SELECT 1 FROM actions a WHERE a.supporter_id = {person}
          AND a.occurred_at >= :t180 AND a.occurred_at <= :t)
      OR EXISTS (SELECT 1 FROM attendances a JOIN events e ON e.id = a.event_id
          WHERE a.supporter_id = {person} AND a.presence IN ('attended', 'unknown')
          AND e.status <> 'cancelled' AND e.starts_at >= :t180 AND e.starts_at <= :t)
      OR EXISTS (SELECT 1 FROM events e WHERE e.host_id = {person} AND e.status <> 'cancelled'
          AND e.starts_at >= :t180 AND e.starts_at <= :t))"""


def _insert(rule: str, to_rung: str, statuses: tuple[str, str], where: str) -> str:
    return f"""
    INSERT INTO level_changes (supporter_id, from_rung, to_rung, from_status, to_status,
                               changed_at, rule_id)
    SELECT s.id, s.rung, {to_rung}, '{statuses[0]}', '{statuses[1]}', :t, '{rule}'
    FROM supporters s WHERE s.merged_into_id IS NULL AND s.created_at <= :t AND {where}"""


def _moved(rule: str) -> str:
    return f"SELECT supporter_id FROM level_changes WHERE rule_id = '{rule}' AND changed_at = :t"


def _statements(attend: str, mobilise: str) -> list[str]:
    promotable = "s.status = 'active' AND coalesce(s.rung_set_manually, false) = false"
    return [
        _insert(
            "reactivation",
            "s.rung",
            ("lapsed", "active"),
            f"""s.status = 'lapsed' AND s.id IN (
                SELECT a.supporter_id FROM actions a JOIN supporters l ON l.id = a.supporter_id
                WHERE a.supporter_id IN ({_LAPSED}) AND a.occurred_at <= :t
                  AND a.occurred_at > coalesce(l.status_since, l.created_at)
                UNION SELECT a.supporter_id FROM attendances a
                  JOIN events e ON e.id = a.event_id JOIN supporters l ON l.id = a.supporter_id
                WHERE a.supporter_id IN ({_LAPSED}) AND a.presence = 'attended'
                  AND e.status <> 'cancelled' AND e.starts_at <= :t
                  AND e.starts_at > coalesce(l.status_since, l.created_at)
                UNION SELECT e.host_id FROM events e JOIN supporters l ON l.id = e.host_id
                WHERE e.host_id IN ({_LAPSED}) AND e.status <> 'cancelled' AND e.starts_at <= :t
                  AND e.starts_at > coalesce(l.status_since, l.created_at))""",
        ),
        f"""UPDATE supporters SET status = 'active', status_since = :t,
            lapse_condition_since = NULL WHERE id IN ({_moved("reactivation")})""",
        _insert(
            "shows-up",
            "'attend'",
            ("active", "active"),
            f"""s.rung = 'follow' AND {promotable} AND (
                s.id IN (SELECT supporter_id FROM attendances WHERE presence = 'attended'
                         AND event_id IN (SELECT id FROM events WHERE status <> 'cancelled'
                                          AND starts_at >= :t90 AND starts_at <= :t)
                         GROUP BY supporter_id HAVING count(*) >= 2)
                OR s.id IN (SELECT supporter_id FROM actions WHERE action_kind_id IN ({attend})
                            AND occurred_at >= :t90 AND occurred_at <= :t
                            GROUP BY supporter_id HAVING count(*) >= 3))""",
        ),
        f"""UPDATE supporters SET rung = 'attend', rung_since = :t, rung_set_manually = false
            WHERE id IN ({_moved("shows-up")})""",
        _insert(
            "mobilises-others",
            "'mobilise'",
            ("active", "active"),
            f"""s.rung = 'attend' AND {promotable} AND (
                s.id IN (SELECT host_id FROM events WHERE host_id IS NOT NULL
                         AND status <> 'cancelled' AND starts_at <= :t)
                OR s.id IN (SELECT recruiter_id FROM supporters WHERE recruiter_id IS NOT NULL
                            AND status <> 'erased' AND merged_into_id IS NULL
                            AND created_at <= :t AND rung IN ('attend', 'mobilise')
                            GROUP BY recruiter_id HAVING count(*) >= 3)
                OR s.id IN (SELECT supporter_id FROM actions WHERE action_kind_id IN ({mobilise})
                            AND occurred_at >= :t180 AND occurred_at <= :t
                            GROUP BY supporter_id HAVING count(*) >= 3))""",
        ),
        f"""UPDATE supporters SET rung = 'mobilise', rung_since = :t, rung_set_manually = false
            WHERE id IN ({_moved("mobilises-others")})""",
        f"""UPDATE supporters SET lapse_condition_since = NULL WHERE status = 'active'
            AND lapse_condition_since IS NOT NULL
            AND (created_at > :t180 OR {_RECENT_OF("supporters.id")})""",
        f"""UPDATE supporters SET lapse_condition_since = :t WHERE status = 'active'
            AND merged_into_id IS NULL AND created_at <= :t180 AND lapse_condition_since IS NULL
            AND NOT ({_RECENT_OF("supporters.id")})""",
        _insert(
            "quiet-for-six-months",
            "s.rung",
            ("active", "lapsed"),
            "s.status = 'active' AND s.lapse_condition_since <= :t30",
        ),
        f"""UPDATE supporters SET status = 'lapsed', status_since = :t,
            lapse_condition_since = NULL WHERE id IN ({_moved("quiet-for-six-months")})""",
    ]


def naive_orm_loop(url: str, as_of: str, sample: int) -> int:
    """The same rules, one supporter at a time through ORM objects; rolled back."""
    from sqlalchemy.orm import registry

    from ladder.storage import models

    class Supporter:  # ORM classes of ladder's Core tables, mapped here only (ladder maps none)
        pass

    class LevelChange:
        def __init__(self, **values: Any) -> None:
            for name, value in values.items():
                setattr(self, name, value)

    mapped = registry()
    mapped.map_imperatively(Supporter, models.Supporter.__table__)
    mapped.map_imperatively(LevelChange, models.LevelChange.__table__)
    engine, ladder = _open(url)
    t = datetime.fromisoformat(as_of)
    moved = 0
    with Session(engine) as session, session.begin():
        table = models.Supporter
        people: list[Any] = list(
            session.scalars(
                select(Supporter).where(table.status == "active").order_by(table.id).limit(sample)
            )
        )
        for person in people:
            rule = _naive_rule(session, ladder, person, t)
            if rule is not None:
                rule_id, to_rung = rule
                session.add(
                    LevelChange(
                        supporter_id=person.id,
                        from_rung=person.rung,
                        to_rung=to_rung,
                        changed_at=t,
                        rule_id=rule_id,
                    )
                )
                person.rung, person.rung_since = to_rung, t
                moved += 1
            _naive_lapse(session, person, t)
        session.flush()
        session.rollback()
    return moved


def _naive_rule(session: Session, ladder: LadderFile, person: Any, t: datetime) -> Any:
    from ladder.storage.models import Action, ActionKind, Attendance, Event, Supporter

    def actions(rung: str, days: int) -> int:
        names = [k.name for k in ladder.kinds_for(rung)]
        return (
            session.scalar(
                select(func.count())
                .select_from(Action)
                .join(ActionKind)
                .where(Action.supporter_id == person.id, ActionKind.name.in_(names))
                .where(Action.occurred_at >= t - timedelta(days=days), Action.occurred_at <= t)
            )
            or 0
        )

    if person.rung == "follow":
        attended = session.scalar(
            select(func.count())
            .select_from(Attendance)
            .join(Event)
            .where(Attendance.supporter_id == person.id, Attendance.presence == "attended")
            .where(Event.starts_at >= t - timedelta(days=90), Event.starts_at <= t)
        )
        if (attended or 0) >= 2 or actions("attend", 90) >= 3:
            return "shows-up", "attend"
    if person.rung == "attend":
        hosted = session.scalar(
            select(func.count()).select_from(Event).where(Event.host_id == person.id)
        )
        recruits = session.scalar(
            select(func.count())
            .select_from(Supporter)
            .where(Supporter.recruiter_id == person.id, Supporter.rung.in_(["attend", "mobilise"]))
        )
        if (hosted or 0) >= 1 or (recruits or 0) >= 3 or actions("mobilise", 180) >= 3:
            return "mobilises-others", "mobilise"
    return None


def _naive_lapse(session: Session, person: Any, t: datetime) -> None:
    from ladder.storage.models import Action

    since = t - timedelta(days=180)
    recent = session.scalar(
        select(func.count())
        .select_from(Action)
        .where(Action.supporter_id == person.id, Action.occurred_at >= since)
    )
    if not recent and person.lapse_condition_since is None:
        person.lapse_condition_since = t

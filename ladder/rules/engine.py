"""Apply the ladder's rules: whole base, one person, dry run. Set-based: no loop over people.

One run, as of a time T (default now; nothing after T counts):

1. **reactivation**: lapsed people with any activity dated after their lapse was recorded
   (an action at its date, an attendance or a hosted event at the event's start) become
   active again; nothing dated before it reactivates anyone;
2. **promotion** rules in ladder order (lower target rung first, file order within a rung).
   A rule only moves people up, only from the rungs it promotes from (with ``no_skipping``,
   the rung just below), never erased, merged or lapsed people, and never someone an organiser
   pinned by hand unless ``promote_manually_set``. Climbing several rungs in one run happens
   when each rung's rule holds. When a rule counts recruits at a rung, the rules run again,
   for the people just moved and the recruiters of people moved, until nobody moves;
3. **lapse** rules: ``lapse_condition_since`` is set when a lapse condition first holds and
   cleared when it stops; people are lapsed once it has held for ``lapse_grace_days``.

Each rule is one ``INSERT INTO level_changes ... SELECT`` (rule id, from/to, the counts as
evidence), one ``UPDATE supporters ... WHERE id IN (the rows just inserted)``, and one
``UPDATE`` per evidence list attaching the ids of the attendances, hosted events and recruits
behind the counts (see :mod:`ladder.rules.plan`). A second run changes nothing.

For one person (the check-in path, a few ms on a 1M base)::

    moves = apply_person(connection, ladder, supporter_id)      # writes, in your transaction
    moves = evaluate_person(connection, ladder, supporter_id)   # what would happen; writes nothing
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, select, update

from ladder.clock import utcnow
from ladder.domain.ladderfile import LadderFile
from ladder.domain.rules import walk
from ladder.domain.vocabulary import SupporterStatus
from ladder.privacy import audit
from ladder.progress import SILENT, Progress
from ladder.rules.plan import (
    LEVEL_CHANGES,
    Deferred,
    DeferredPlan,
    Plan,
    RulePlan,
    counts_recruit_rungs,
    deferred_plan_for,
    plan_for,
)
from ladder.rules.sql import SUPPORTERS, Scope, time_params
from ladder.storage.snapshot import data_version, locks_whole_database, snapshot
from ladder.storage.sqlfunc import full_name
from ladder.storage.stored import execute

MAX_PASSES = 50  # recruit chains deeper than this finish on the next run
KNOWN_MOST = 30_000  # ids bound in one statement (SQLite takes up to 32,766 parameters)
CANDIDATES_CHUNK = 5_000  # ids per UPDATE of lapse clocks (an IN list of bound values)
# Up to one person in this many who could move, promote re-evaluates only them under the write
# lock; beyond, the whole base (a restricted run costs ~0.7 ms a person, a whole-base one ~9 us
# a person of the base: measured on the 100k bench dataset).
RESTRICTED_RUN_SHARE = 100


@dataclass(frozen=True)
class Move:
    """One level change a run made (or would make)."""

    supporter_id: int
    name: str
    rule_id: str
    from_rung: str | None
    to_rung: str | None
    from_status: str | None
    to_status: str | None
    evidence: dict[str, Any]


@dataclass(frozen=True)
class ChangeCount:
    rule_id: str
    from_rung: str | None
    to_rung: str | None
    from_status: str | None
    to_status: str | None
    people: int


@dataclass(frozen=True)
class RunReport:
    as_of: datetime
    dry_run: bool
    changes: list[ChangeCount]
    examples: list[Move]  # the first moves, in the order they were made

    @property
    def total(self) -> int:
        return sum(c.people for c in self.changes)


def promote(
    engine: Engine,
    ladder: LadderFile,
    as_of: datetime | None = None,
    dry_run: bool = False,
    examples: int = 0,
    by: str = "ladder",
    progress: Progress = SILENT,
) -> RunReport:
    """Apply every rule to the whole base in one transaction (rolled back when ``dry_run``).

    On SQLite the rules are first evaluated on a read snapshot (no write lock: the door goes
    on checking people in): who could move, whose lapse clock starts or stops. The write
    lock is then held only to run the rules again for the people who could move
    (:func:`apply_rules` with ``only``, as after a check-in; recruit chains still reach
    everyone, and the people they move get a second such run), so whatever changed in
    between (a rung set by hand) is seen, never overwritten blindly. Everyone else's lapse
    clock is started only where still unset, stopped only where still set. Nobody to move:
    no write lock at all. More than one person in :data:`RESTRICTED_RUN_SHARE` to move, or lapse
    rules that a promotion in the same run can change (``days_at_rung``,
    ``recruits_at_rung``): one whole-base run under the lock, as on PostgreSQL.

    ``progress``: a stage checking the rules on the snapshot (one step per rule), then one
    applying them (one step per rule of the first pass).
    """
    as_of = as_of or utcnow()
    with engine.connect() as connection:
        found = None
        if locks_whole_database(connection) and _lapses_ignore_promotions(ladder):
            with snapshot(connection):
                found = evaluate_whole_base(connection, ladder, as_of, progress)
                _after_evaluating()
            if found is not None and not found.whole and found.nothing:
                progress.finish()
                return RunReport(as_of, dry_run, [], [])
        with _transaction(connection, commit=not dry_run):
            _without_jit(connection)
            ids = _apply_found(connection, ladder, as_of, found, progress)
            changes = changes_since(connection, before(ids)) if ids else []
            shown = moves_since(connection, before(ids), examples) if ids and examples else []
            if ids:  # one entry: the level changes say who moved and why
                moved = select(LEVEL_CHANGES.c.supporter_id).where(LEVEL_CHANGES.c.id > before(ids))
                audit.record(
                    connection,
                    by,
                    "promote",
                    people=moved,
                    fields=["rung", "status"],
                    detail={"level_changes": sum(c.people for c in changes)},
                )
    progress.finish()
    return RunReport(as_of, dry_run, changes, shown)


def _apply_found(
    connection: Connection,
    ladder: LadderFile,
    as_of: datetime,
    found: Evaluation | None,
    progress: Progress = SILENT,
) -> list[int]:
    """Under the write lock: the whole base, or only what the snapshot found."""
    if found is None or found.whole:
        known = None  # what the snapshot read holds only if nobody wrote since
        if found is not None and found.version is not None:
            known = found.known if data_version(connection) == found.version else None
        return apply_rules(connection, ladder, as_of, progress=progress, known=known)
    movers = set(found.movers)
    stopped = [i for i in found.clocks_stopped if i not in movers]
    started = [i for i in found.clocks_started if i not in movers]
    _set_lapse_clocks(connection, stopped, started, as_of)
    if not movers:
        return []
    ids = apply_rules(
        connection, ladder, as_of, only=found.movers, chains_reach_all=True, progress=progress
    )
    if ids:  # recruiters moved by the chains: their lapse clocks, after their moves
        c = LEVEL_CHANGES.c
        moved = select(c.supporter_id).where(c.id >= min(ids)).distinct()
        others = sorted(set(connection.execute(moved).scalars()) - movers)
        if others:
            ids += apply_rules(
                connection, ladder, as_of, only=others, chains_reach_all=True, progress=progress
            )
    return ids


def _without_jit(connection: Connection) -> None:
    """PostgreSQL: no JIT compilation for this transaction. The rules' statements are many
    short joins over indexes whose cost the planner overestimates; JIT then spends up to a
    second compiling (seen with ``EXPLAIN (ANALYZE)``) what runs in a few hundred ms."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL jit = off")


def _lapses_ignore_promotions(ladder: LadderFile) -> bool:
    """True when no lapse rule looks at what a promotion changes (rungs, time at a rung)."""
    return not any(
        condition.days_at_rung is not None or condition.recruits_at_rung is not None
        for rule in ladder.lapse_rules
        for _path, condition in walk(rule.condition, "")
    )


@dataclass(frozen=True)
class Evaluation:
    """What a whole-base run would do, read on a snapshot: who could move, and whose lapse
    clock would stop (the condition no longer holds) or start."""

    movers: list[int]
    clocks_stopped: list[int]
    clocks_started: list[int]
    # too many could move: the whole base runs under the lock; ``known`` then has who each
    # rule read so far could move (reactivation and rules that no one else's move can make
    # hold), valid while SQLite's data_version is still ``version``
    whole: bool = False
    known: dict[str, list[int]] = field(default_factory=dict)
    version: int | None = None

    @property
    def nothing(self) -> bool:
        return not (self.movers or self.clocks_stopped or self.clocks_started)


def evaluate_whole_base(
    connection: Connection, ladder: LadderFile, as_of: datetime, progress: Progress = SILENT
) -> Evaluation:
    """Who a whole-base run could change in its first pass, read without writing; ``whole``
    when so many could move that the whole base is cheaper to run under the lock (then with
    what was read so far: who each rule read could move, which spares those rules' aggregates
    when nobody wrote in between)."""
    params: dict[str, Any] = time_params(ladder, as_of)
    plan = plan_for(ladder, Scope(), connection.dialect)
    version = data_version(connection)
    # the base's size, as its largest id (rows are never deleted, so the same count up to
    # gaps; one index probe where count(*) reads the whole table: 14 ms at 1M)
    people = connection.execute(select(func.max(SUPPORTERS.c.id))).scalar_one() or 0
    movers: set[int] = set()
    known: dict[str, list[int]] = {}
    plans = [p for p in plan.first_pass() if p.who is not None]
    steps = len(plans) + (1 if plan.lapse_marked else 0)
    progress.start("Checking the rules", steps)
    for done, rule_plan in enumerate(plans, 1):
        who = list(execute(connection, rule_plan.who, params).scalars())
        movers.update(who)
        if rule_plan.known is not None:
            known[rule_plan.rule_id] = who
        progress.advance()
        if len(movers) * RESTRICTED_RUN_SHARE > people:
            progress.advance(steps - done)  # checked enough: the whole base runs again
            return Evaluation([], [], [], whole=True, known=known, version=version)
    stopped: list[int] = []
    started: list[int] = []
    if plan.lapse_marked:
        stopped_query, started_query = plan.lapse_marked
        stopped = sorted(execute(connection, stopped_query, params).scalars())
        started = sorted(execute(connection, started_query, params).scalars())
        progress.advance()
        if ladder.promotion.lapse_grace_days == 0:
            movers.update(started)  # their clock starts and they lapse in the same run
    if len(movers) * RESTRICTED_RUN_SHARE > people:
        return Evaluation([], [], [], whole=True)
    return Evaluation(sorted(movers), stopped, started)


def _set_lapse_clocks(
    connection: Connection, stopped: list[int], started: list[int], as_of: datetime
) -> None:
    """Stop and start the lapse clocks the snapshot said, where nobody did meanwhile."""
    s = SUPPORTERS.c
    chosen = s.id.in_(bindparam("ids", expanding=True))
    stop = update(SUPPORTERS).where(chosen, s.lapse_condition_since.is_not(None))
    start = update(SUPPORTERS).where(
        chosen, s.lapse_condition_since.is_(None), s.status == SupporterStatus.ACTIVE
    )
    clocks: list[tuple[Any, list[int], datetime | None]] = [
        (stop, stopped, None),
        (start, started, as_of),
    ]
    for statement, people, value in clocks:
        for first in range(0, len(people), CANDIDATES_CHUNK):
            chunk = people[first : first + CANDIDATES_CHUNK]
            connection.execute(statement.values(lapse_condition_since=value), {"ids": chunk})


def _after_evaluating() -> None:
    """A seam for tests: runs once the run is evaluated on its snapshot, before the write
    lock is taken."""


def apply_person(
    connection: Connection, ladder: LadderFile, supporter_id: int, as_of: datetime | None = None
) -> list[Move]:
    """Apply every rule to one supporter inside the caller's transaction; returns the moves."""
    ids = apply_rules(connection, ladder, as_of or utcnow(), only=[supporter_id])
    return moves_since(connection, before(ids)) if ids else []


def evaluate_person(
    connection: Connection, ladder: LadderFile, supporter_id: int, as_of: datetime | None = None
) -> list[Move]:
    """The moves :func:`apply_person` would make, without writing anything (a savepoint)."""
    savepoint = connection.begin_nested()
    try:
        return apply_person(connection, ladder, supporter_id, as_of)
    finally:
        savepoint.rollback()


def apply_rules(
    connection: Connection,
    ladder: LadderFile,
    as_of: datetime,
    only: Sequence[int] | None = None,
    chains_reach_all: bool = False,
    progress: Progress = SILENT,
    known: dict[str, list[int]] | None = None,
) -> list[int]:
    """Apply reactivation, promotion and lapse rules; returns the new level_changes ids.

    With ``only``, just those supporters are evaluated (and rules none of them could meet
    are not even sent to the database). With ``chains_reach_all`` too, the later passes
    (people moved, and recruiters of people moved) are not restricted to ``only``: a
    whole-base run restricted to the people who could move. ``known`` (a whole-base run after
    a snapshot read on this connection, nobody having written since): who each of some rules
    could move, as read; those rules then count only those people and the people moved before
    them in the run (their only other way to qualify). ``progress`` advances once per
    rule of the first pass (the reactivation, each promotion rule, the lapse clocks, each
    lapse rule); the passes that follow recruit chains are not counted.
    """
    params: dict[str, Any] = time_params(ladder, as_of)
    if only is not None:
        params["only"] = list(only)
    scope = Scope(only=only is not None)
    few = _Few(connection, ladder, only) if only is not None and not chains_reach_all else None
    # a few people (a check-in): each rule's statements are built when one of them may be
    # changed by it, the others never (the same statements, built for nothing otherwise)
    plan: Plan | DeferredPlan = (
        plan_for(ladder, scope, connection.dialect)
        if few is None
        else deferred_plan_for(ladder, scope)
    )
    if chains_reach_all and isinstance(plan, Plan):
        whole = plan_for(ladder, Scope(), connection.dialect)
        plan = replace(plan, touched_promotions=whole.touched_promotions)
    run = _Runner(connection, params, few, known)
    progress.start("Applying the rules", 2 + len(plan.promotions) + len(ladder.lapse_rules))
    run.rule(plan.reactivation)
    progress.advance()
    _promote_until_stable(run, plan, progress)
    lapse_marks, lapses = _lapse_parts(plan, few)
    stopped, started = lapse_marks or (None, None)
    if stopped is not None and (few is None or few.lapse_clock(running=True)):
        execute(connection, stopped, params)
    if started is not None and (few is None or few.lapse_clock(running=False)):
        execute(connection, started, params)
    progress.advance()
    for rule_plan in lapses:
        run.rule(rule_plan)
        progress.advance()
    return run.ids


def _lapse_parts(plan: Plan | DeferredPlan, few: _Few | None) -> tuple[list[Any], list[RulePlan]]:
    """The lapse clocks' UPDATEs and the lapse rules: none built when nobody is active."""
    if isinstance(plan, Plan):
        return plan.lapse_marks, plan.lapses
    if few is not None and not few.any_status(SupporterStatus.ACTIVE):
        return [], []
    marks, lapses, _marked = plan.lapse_parts()
    return marks, lapses


def before(ids: list[int]) -> int:
    """The watermark of a run: its level changes are the rows with a larger id."""
    return min(ids) - 1


def _promote_until_stable(
    run: _Runner, plan: Plan | DeferredPlan, progress: Progress = SILENT
) -> None:
    """Rules in ladder order, once for everyone; then, while a pass moves someone and a rule
    counts recruits at a rung, again for the people whose facts changed (see touched_since)."""
    first = len(run.ids)
    for rule_plan in plan.promotions:
        run.rule(rule_plan)
        progress.advance()
    previous = run.ids[first:]
    for _ in range(MAX_PASSES):
        if not previous or not plan.chained:
            return
        pass_start = len(run.ids)
        for rule_plan in plan.touched_promotions:
            moved_now = run.ids[pass_start:]
            if not moved_now and rule_plan.rule is not None and not _chained(rule_plan):
                continue  # nobody moved yet in this pass: nothing it depends on changed
            run.params = {
                **run.params,
                "moved_after": before(moved_now) if moved_now else max(run.ids),
                "recruits_moved_after": before(previous),
            }
            run.rule(rule_plan)
        previous = run.ids[pass_start:]


def _chained(rule_plan: RulePlan | Deferred) -> bool:
    return rule_plan.rule is not None and counts_recruit_rungs(rule_plan.rule)


class _Runner:
    """Executes rule plans and collects the ids of the level changes they insert."""

    def __init__(
        self,
        connection: Connection,
        params: dict[str, Any],
        few: _Few | None,
        known: dict[str, list[int]] | None = None,
    ) -> None:
        self.connection, self.params, self.few = connection, params, few
        self.known = known or {}
        self.ids: list[int] = []
        self.moved: set[int] = set()  # the people moved so far in the run

    def rule(self, rule_plan: RulePlan | Deferred) -> int:
        """Insert the rule's level changes, attach evidence ids, update those people."""
        if self.few is not None and not self.few.may_change(rule_plan):
            return 0
        if isinstance(rule_plan, Deferred):
            rule_plan = rule_plan.plan()
        statement, params = rule_plan.insert, self.params
        who = self.known.get(rule_plan.rule_id) if rule_plan.known is not None else None
        if who is not None and len(who) + len(self.moved) <= KNOWN_MOST:
            if not who and not self.moved:
                return 0  # nobody the snapshot read, nobody moved before: the insert is empty
            statement = rule_plan.known
            params = {**params, "known": sorted(self.moved.union(who))}
        inserted = execute(self.connection, statement, params).all()
        if not inserted:
            return 0
        ids = [row.id for row in inserted]
        marked = {**self.params, "mark": before(ids)}
        for statement in rule_plan.attach:  # before the update: the ids its counts saw (a
            # recruit moved by this same rule is not yet at the rung it moves to)
            execute(self.connection, statement, marked)
        execute(self.connection, rule_plan.update, marked)
        self.ids += sorted(ids)
        self.moved.update(row.supporter_id for row in inserted)
        if self.few is not None:
            self.few.moved(rule_plan, [row.supporter_id for row in inserted])
        return len(inserted)


class _Few:
    """The states of the few people a restricted run is about.

    Lets the run skip, without a round trip, the statements none of them could be changed by
    (the check-in path: a handful of statements instead of every rule of the ladder).
    """

    def __init__(self, connection: Connection, ladder: LadderFile, only: Sequence[int]) -> None:
        s = SUPPORTERS.c
        query = select(s.id, s.rung, s.status, s.rung_set_manually, s.lapse_condition_since)
        self.ladder = ladder
        self.people = {
            row.id: [row.rung, row.status, bool(row.rung_set_manually), row.lapse_condition_since]
            for row in connection.execute(query.where(s.id.in_(list(only))))
        }

    def any_status(self, status: str) -> bool:
        return any(state[1] == status for state in self.people.values())

    def lapse_clock(self, running: bool) -> bool:
        """Is anyone active whose lapse clock is running (or, not running)?"""
        return any(
            state[1] == "active" and (state[3] is not None) == running
            for state in self.people.values()
        )

    def may_change(self, rule_plan: RulePlan | Deferred) -> bool:
        rule = rule_plan.rule
        if rule is None:
            return self.any_status("lapsed")
        if rule.promote_to is None:
            return self.any_status("active")
        sources = self.ladder.promotes_from(rule.promote_to)
        pinned_ok = self.ladder.promotion.promote_manually_set
        return any(
            status == SupporterStatus.ACTIVE and rung in sources and (pinned_ok or not manual)
            for rung, status, manual, _since in self.people.values()
        )

    def moved(self, rule_plan: RulePlan, supporter_ids: list[int]) -> None:
        rule = rule_plan.rule
        for supporter_id in supporter_ids:
            state = self.people[supporter_id]
            if rule is None:
                state[1], state[3] = "active", None
            elif rule.promote_to is None:
                state[1], state[3] = "lapsed", None
            else:
                state[0], state[2] = rule.promote_to, False


def changes_since(connection: Connection, mark: int) -> list[ChangeCount]:
    """How many people each rule moved, from what to what, since ``mark``."""
    c = LEVEL_CHANGES.c
    keys = [c.rule_id, c.from_rung, c.to_rung, c.from_status, c.to_status]
    query = (
        select(*keys, func.count().label("people"))
        .where(c.id > mark, c.rule_id.is_not(None))
        .group_by(*keys)
        .order_by(func.min(c.id))
    )
    return [ChangeCount(**row._mapping) for row in connection.execute(query)]


def moves_since(connection: Connection, mark: int, limit: int | None = None) -> list[Move]:
    """The level changes made since ``mark``, in order, with the person's name."""
    c = LEVEL_CHANGES.c
    name = full_name(SUPPORTERS)
    query = (
        select(c.supporter_id, name.label("name"), c.rule_id, c.from_rung, c.to_rung, c.from_status)
        .add_columns(c.to_status, c.evidence)
        .join(SUPPORTERS, SUPPORTERS.c.id == c.supporter_id)
        .where(c.id > mark, c.rule_id.is_not(None))
        .order_by(c.id)
        .limit(limit)
    )
    return [
        Move(
            supporter_id=row.supporter_id,
            name=row.name or f"#{row.supporter_id}",
            rule_id=row.rule_id,
            from_rung=row.from_rung,
            to_rung=row.to_rung,
            from_status=row.from_status,
            to_status=row.to_status,
            evidence=_evidence(row.evidence),
        )
        for row in connection.execute(query)
    ]


def _evidence(value: Any) -> dict[str, Any]:
    if isinstance(value, str):  # a JSON string stored by SQL on some drivers
        import json

        value = json.loads(value)
    return value if isinstance(value, dict) else {}


@contextmanager
def _transaction(connection: Connection, commit: bool) -> Iterator[None]:
    transaction = connection.begin()
    try:
        yield
    except BaseException:
        transaction.rollback()
        raise
    if commit:
        transaction.commit()
    else:
        transaction.rollback()

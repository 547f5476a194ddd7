"""Each person's first action, stored on the person: ``supporters.first_action_at`` and
``supporters.first_campaign_id`` (migration 0006).

Who joined through a campaign (their first action is one of its) is then one grouped, indexed
read (:mod:`ladder.campaigns.progress`) instead of a probe of every person's actions. Every
write of actions calls :func:`refresh_first_actions` in its transaction, for the people whose
actions it added or moved: ``actions log``, ``actions import``, a check-in's attendance action,
``people merge``, the generated movement (seed, demo).

The first action is the earliest; among several at that same time, the one with the smallest
campaign id (an action without a campaign only when none of them has one).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from sqlalchemy import Connection, Table, text

from ladder.storage.indexes import rebuilt_after
from ladder.storage.models import Supporter

_SET = (
    "UPDATE supporters SET "
    "first_action_at = (SELECT min(a.occurred_at) FROM actions a "
    "WHERE a.supporter_id = supporters.id), "
    "first_campaign_id = (SELECT min(a.campaign_id) FROM actions a "
    "WHERE a.supporter_id = supporters.id AND a.occurred_at = ("
    "SELECT min(b.occurred_at) FROM actions b WHERE b.supporter_id = supporters.id)) "
)
_CHUNK = 500  # ids per statement
# On SQLite, when the new actions are at least 1/REBUILD_SHARE of the people (and the base
# above REBUILD_FLOOR people), the index on the first actions is built again after the update
# rather than updated person by person (ladder.storage.indexes): at 1M new first actions,
# 4 s + 2 s instead of 10 s; at 37,758 (the half-new petition, 37,758 people), about 95 ms
# instead of 125 ms for the refresh (in process, three runs each).
REBUILD_SHARE = 4
REBUILD_FLOOR = 20_000
_FIRSTS_INDEX = next(
    i for i in cast(Table, Supporter.__table__).indexes if i.name == "ix_supporters_first_campaign"
)


def refresh_first_actions(connection: Connection, people: Iterable[int] | str | None) -> None:
    """Set the first action of ``people`` from their actions (three index probes each).

    ``people``: ids; or a ``SELECT`` of ids (one statement for a whole import); or None for
    everyone who has an action (a generated movement, the migration's backfill)."""
    if people is None:
        connection.execute(text(everyone_sql()))
        return
    if isinstance(people, str):
        connection.execute(text(f"{_SET}WHERE id IN ({people})"))
        return
    ids = sorted({int(i) for i in people})
    for start in range(0, len(ids), _CHUNK):
        listed = ", ".join(str(i) for i in ids[start : start + _CHUNK])
        connection.execute(text(f"{_SET}WHERE id IN ({listed})"))


def everyone_sql() -> str:
    """The statement that sets everyone's first action (for a raw bulk load)."""
    return _SET + "WHERE id IN (SELECT supporter_id FROM actions)"


def refresh_after_insert(connection: Connection, after_id: int) -> None:
    """After inserting actions (those with an id above ``after_id``): refresh the first action
    of the people they come first for, or tie with, only. Every earlier write kept the stored
    first action, so a person whose new actions all come after it keeps it: no write (a
    re-import of later signatures, a busy campaign's new actions).

    One pass over the new actions grouped by person gives each one's earliest new time; a
    person whose stored first action is later (or missing) takes it, and one tying with it
    keeps it: either way, the campaign is the smallest of their actions at that time. A
    person with one new action and no stored first action at that time (most of a petition's
    signers) takes that action's campaign, from the same pass; the others' is read with one
    probe of the index on person and time (older actions there only in a tie). At 1M people
    with one new action each, the probes were 1.3 s of 4.3 s of CPU."""
    with rebuilt_after(connection, [_FIRSTS_INDEX], _many(connection, after_id)):
        connection.execute(
            text(
                "UPDATE supporters SET first_action_at = f.first, first_campaign_id = CASE "
                "WHEN f.new_actions = 1 AND supporters.first_action_at IS NULL THEN f.campaign "
                "WHEN f.new_actions = 1 AND supporters.first_action_at > f.first THEN f.campaign "
                "ELSE (SELECT min(a.campaign_id) FROM actions a "
                "WHERE a.supporter_id = supporters.id AND a.occurred_at = f.first) END "
                "FROM (SELECT n.supporter_id AS id, min(n.occurred_at) AS first, "
                "count(*) AS new_actions, min(n.campaign_id) AS campaign FROM actions n "
                f"WHERE n.id > {int(after_id)} GROUP BY n.supporter_id) AS f "
                "WHERE supporters.id = f.id "
                "AND (supporters.first_action_at IS NULL OR supporters.first_action_at >= f.first)"
            )
        )


def _many(connection: Connection, after_id: int) -> bool:
    """True when the new actions are at least :data:`REBUILD_SHARE` of the people (SQLite:
    :func:`~ladder.storage.indexes.rebuilt_after`)."""
    if connection.dialect.name != "sqlite":
        return False
    new = connection.execute(text(f"SELECT count(*) FROM actions WHERE id > {int(after_id)}"))
    people = connection.execute(text("SELECT max(id) FROM supporters")).scalar()
    return int(new.scalar_one()) * REBUILD_SHARE >= int(people or 0) > REBUILD_FLOOR

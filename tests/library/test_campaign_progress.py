"""Campaign progress on a known series: count, share, pace, projected and reached dates,
people who joined through the campaign and climbed since; in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, insert, select, text

from ladder.campaigns import progress as progress_module
from ladder.campaigns.manage import CampaignInput, add_campaign, edit_campaign, show_campaign
from ladder.campaigns.progress import campaign_progress
from ladder.storage.firsts import refresh_first_actions
from ladder.storage.models import Action, ActionKind, LevelChange
from tests.factories import add_person

AS_OF = datetime(2026, 6, 30, 12, 0)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def _kinds(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(select(ActionKind.name, ActionKind.id)).all())


def _add_actions(engine, rows: list[tuple[int, str, datetime, int | None]]) -> None:
    """Inserted directly, then each person's first action kept as every action write keeps it."""
    kinds = _kinds(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(Action),
            [
                {
                    "supporter_id": who,
                    "action_kind_id": kinds[kind],
                    "occurred_at": when,
                    "campaign_id": campaign,
                    "created_at": when,
                }
                for who, kind, when, campaign in rows
            ],
        )
        refresh_first_actions(connection, [who for who, *_ in rows])


@pytest.fixture
def series(workspace):
    """Petition campaign, goal 100: one signature a day for the 30 days before AS_OF, ten
    more 60 days before; and actions that must not count (another kind, no campaign, later).
    """
    engine = workspace.engine
    signer = add_person(engine, "Awa", "Diallo")
    petition = add_campaign(
        engine, workspace.ladder, CampaignInput("Pétition", 100, ["petition"], False), by="test"
    ).id
    rows = [(signer, "petition", AS_OF - k * DAY - HOUR, petition) for k in range(30)]
    rows += [(signer, "petition", AS_OF - 60 * DAY - k * HOUR, petition) for k in range(10)]
    rows += [
        (signer, "photos", AS_OF - DAY, petition),  # another kind
        (signer, "petition", AS_OF - DAY, None),  # not for the campaign
        (signer, "petition", AS_OF + HOUR, petition),  # after AS_OF
    ]
    _add_actions(engine, rows)
    return petition


def _show(workspace, name="Pétition", as_of=AS_OF):
    with workspace.engine.connect() as connection:
        return show_campaign(connection, workspace.ladder, name, as_of, UTC)


def test_count_share_pace_and_projected_date_on_a_known_series(workspace, series):
    found = _show(workspace)
    assert (found.goal, found.count, found.share) == (100, 40, 0.4)
    assert (found.pace_7d, found.pace_30d) == (1.0, 1.0)
    # 60 to go at 1 a day, from June 30th
    assert (found.projected_date, found.reached_on) == (date(2026, 8, 29), None)


def test_a_reached_goal_gives_the_day_it_was_reached(workspace, series):
    edit_campaign(workspace.engine, "Pétition", goal=35, by="test")
    found = _show(workspace)
    # the 10 old signatures, then one a day: the 35th came in 5 days before AS_OF
    assert (found.count, found.share, found.reached_on) == (
        40,
        round(40 / 35, 4),
        date(2026, 6, 25),
    )
    assert found.projected_date == date(2026, 6, 25)


def test_as_of_an_earlier_day_counts_only_what_had_come_in(workspace, series):
    found = _show(workspace, as_of=AS_OF - 20 * DAY)
    assert (found.count, found.pace_7d, found.pace_30d) == (20, 1.0, round(10 / 30, 2))
    # 80 to go at 10 per 30 days: 240 days after June 10th
    assert found.projected_date == date(2026, 6, 10) + 240 * DAY


def test_no_pace_means_no_projected_date(workspace, series):
    found = _show(workspace, as_of=AS_OF + 200 * DAY)
    assert (found.count, found.pace_30d, found.projected_date) == (41, 0.0, None)


def test_a_people_goal_counts_each_person_once_and_their_first_action_for_pace(workspace):
    engine = workspace.engine
    add_campaign(engine, workspace.ladder, CampaignInput("Marche", 10, [], True), by="test")
    [marche] = [c for c in _all(workspace) if c.name == "Marche"]
    a, b = add_person(engine, "A", "A"), add_person(engine, "B", "B")
    _add_actions(
        engine,
        [
            (a, "petition", AS_OF - 40 * DAY, marche.campaign_id),
            (a, "mass_action", AS_OF - DAY, marche.campaign_id),  # a again: still one person
            (b, "photos", AS_OF - 2 * DAY, marche.campaign_id),
        ],
    )
    found = _show(workspace, "Marche")
    assert (found.count, found.pace_7d, found.pace_30d) == (2, round(1 / 7, 2), round(1 / 30, 2))


@pytest.mark.parametrize("from_changes", [True, False], ids=["level changes read", "probed"])
def test_joined_are_people_whose_first_action_is_the_campaigns_and_climbed_counts_them(
    workspace, series, monkeypatch, from_changes
):
    """Whichever side the climbs are found from (the level changes read and joined to their
    people, or each joined person's probed), the same counts."""
    monkeypatch.setattr(progress_module, "_from_changes", lambda changes, people: from_changes)
    engine = workspace.engine
    new, old, flat = (add_person(engine, n, "X") for n in ("New", "Old", "Flat"))
    _add_actions(
        engine,
        [
            (new, "petition", AS_OF - 3 * DAY, series),
            (old, "like", AS_OF - 90 * DAY, None),  # known before the campaign
            (old, "petition", AS_OF - 3 * DAY, series),
            (flat, "petition", AS_OF - 3 * DAY, series),
        ],
    )
    with engine.begin() as connection:
        for who, frm, to, when in [
            (new, "follow", "attend", AS_OF - DAY),  # climbed after joining
            (new, "attend", "mobilise", AS_OF - DAY / 2),  # and again: one person climbed
            (old, "follow", "attend", AS_OF - DAY),  # climbed, but did not join through it
            (flat, "attend", "follow", AS_OF - DAY),  # moved down: no climb
        ]:
            connection.execute(
                insert(LevelChange).values(
                    supporter_id=who, from_rung=frm, to_rung=to, changed_at=when, rule_id="r"
                )
            )
    found = _show(workspace)
    # Awa (the series' signer) joined through it too, and never climbed
    assert (found.joined, found.climbed) == (3, 1)
    assert _show(workspace, as_of=AS_OF - 2 * DAY).climbed == 0


def _all(workspace):
    with workspace.engine.connect() as connection:
        return campaign_progress(connection, workspace.ladder, AS_OF, zone=UTC)


def test_progress_of_many_campaigns_takes_a_fixed_number_of_queries(workspace, series):
    engine = workspace.engine
    for n in range(5):
        add_campaign(
            engine, workspace.ladder, CampaignInput(f"Campagne {n}", 10, ["like"], n % 2), by="test"
        )
    signer = add_person(engine, "Léo", "K")
    campaigns = {c.name: c.campaign_id for c in _all(workspace)}
    _add_actions(
        engine,
        [(signer, "like", AS_OF - k * HOUR, cid) for k, cid in enumerate(campaigns.values())],
    )
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        found = _all(workspace)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(found) == 6
    counted = [s for s in statements if "actions" in s.lower() or "first_action" in s.lower()]
    # action counts, people counts, joined, climbed
    assert len(counted) == 4, statements


# --- the grouped SQL against a plain-Python reading of the same actions -------------------

_action = st.tuples(
    st.integers(0, 4),  # person
    st.sampled_from(["petition", "like", "photos"]),
    st.sampled_from([None, 0, 1]),  # campaign: none, A, B
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    actions=st.lists(_action, max_size=30),
    hours=st.lists(st.integers(0, 24 * 45), min_size=30, max_size=30, unique=True),
)
def test_progress_agrees_with_a_plain_reading_of_the_actions(workspace, actions, hours):
    engine = workspace.engine
    with engine.begin() as connection:
        for table in ("actions", "campaign_goals", "supporters", "campaigns"):
            connection.execute(text(f"DELETE FROM {table}"))
    people = [add_person(engine, f"P{n}", "X") for n in range(5)]
    ids = [
        add_campaign(
            engine, workspace.ladder, CampaignInput(name, 10, kinds, by_people), by="test"
        ).id
        for name, kinds, by_people in [("A", ["petition"], False), ("B", [], True)]
    ]
    rows = [
        (people[who], kind, AS_OF - hours[n] * HOUR, None if c is None else ids[c])
        for n, (who, kind, c) in enumerate(actions)
    ]
    if rows:
        _add_actions(engine, rows)
    found = {p.campaign_id: p for p in _all(workspace)}

    def window(days, moments):
        return sum(1 for m in moments if m > AS_OF - days * DAY)

    a = [when for _, kind, when, c in rows if c == ids[0] and kind == "petition"]
    firsts: dict[int, datetime] = {}
    for who, _, when, c in rows:
        if c == ids[1]:
            firsts[who] = min(when, firsts.get(who, when))
    b = list(firsts.values())
    for cid, moments in [(ids[0], a), (ids[1], b)]:
        progress = found[cid]
        assert progress.count == len(moments)
        assert progress.pace_7d == round(window(7, moments) / 7, 2)
        assert progress.pace_30d == round(window(30, moments) / 30, 2)
        first_of = {}
        for who, _, _when, c in sorted(rows, key=lambda r: r[2]):
            first_of.setdefault(who, c)
        assert progress.joined == sum(1 for c in first_of.values() if c == cid)

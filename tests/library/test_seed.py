"""The demo-movement generator: deterministic, bulk, and shaped like a real movement."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from ladder.domain.contact import normalise_email, normalise_phone
from ladder.domain.ladderfile import default_ladder_path, load_ladder, parse_ladder
from ladder.errors import ConflictError
from ladder.storage.engine import make_engine
from ladder.storage.models import Base, Supporter
from ladder.storage.schema import initialise
from seeds.movement import WRITE_PLAN, build_movement, generate_movement

ANCHOR = datetime(2026, 3, 8)
LADDER = load_ladder(default_ladder_path())


def _seed(engine, people=1000, seed=7, ladder=LADDER, locale="fr_FR"):
    return generate_movement(engine, ladder, people, seed, locale, ANCHOR)


def _scalar(engine, sql, **params):
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar()


def _rows(engine, sql, **params):
    with engine.connect() as connection:
        return connection.execute(text(sql), params).all()


def _dump(url: str) -> dict[str, list[tuple]]:
    engine = make_engine(url)
    with engine.connect() as connection:
        dump = {}
        for model, _columns, _rows in WRITE_PLAN:
            table = model.__table__
            order = [c for c in table.primary_key.columns]
            dump[table.name] = connection.execute(select(table).order_by(*order)).all()
    engine.dispose()
    return dump


def test_the_same_seed_and_anchor_give_byte_identical_rows(tmp_path):
    dumps = []
    for name in ("first", "second", "other-seed"):
        url = f"sqlite:///{tmp_path / name}.db"
        initialise(url)
        engine = make_engine(url)
        generate_movement(engine, LADDER, 800, 3 if name != "other-seed" else 4, "fr_FR", ANCHOR)
        engine.dispose()
        dumps.append(_dump(url))
    first, second, other = dumps
    assert first == second
    assert sum(len(rows) for rows in first.values()) > 800 * 4
    assert first["supporters"] != other["supporters"]


def test_recruitment_has_no_cycle_and_chains_run_ten_to_thirty_deep(engine):
    _seed(engine, people=5000)
    pairs = _rows(
        engine,
        "SELECT s.id, s.recruiter_id, s.created_at >= r.created_at FROM supporters s "
        "JOIN supporters r ON r.id = s.recruiter_id",
    )
    assert all(recruiter < person and joined_later for person, recruiter, joined_later in pairs)
    depth: dict[int, int] = {}
    for person, recruiter, _ in sorted(pairs):
        depth[person] = depth.get(recruiter, 0) + 1
    assert 10 <= max(depth.values()) <= 30
    assert 0.65 <= len(pairs) / 5000 <= 0.75
    recruits = sorted(_rows(engine, "SELECT count(*) FROM supporters GROUP BY recruiter_id"))
    top_ten = sum(count for (count,) in recruits[-11:-1])  # the last group is "no recruiter"
    assert top_ten > 10 * len(pairs) / len(recruits)  # a few recruiters dominate


def test_the_rung_pyramid_narrows_with_about_fifty_at_the_top_per_2650(engine):
    _seed(engine, people=2650)
    counts = dict(_rows(engine, "SELECT rung, count(*) FROM supporters GROUP BY rung"))
    assert counts["follow"] > 4 * counts["attend"] > 4 * counts["mobilise"]
    assert 35 <= counts["mobilise"] <= 65


def test_every_supporter_has_done_something_at_their_rung_since_reaching_it(engine):
    _seed(engine)
    without_evidence = _scalar(
        engine,
        "SELECT count(*) FROM supporters s WHERE NOT EXISTS (SELECT 1 FROM actions a "
        "JOIN action_kinds k ON k.id = a.action_kind_id "
        "WHERE a.supporter_id = s.id AND k.rung = s.rung AND a.occurred_at = s.rung_since)",
    )
    assert without_evidence == 0
    assert _scalar(engine, "SELECT count(*) FROM supporters WHERE rung_since < created_at") == 0


def test_attendance_is_recorded_only_at_events_that_started_before_the_anchor(engine):
    _seed(engine)
    by_when = _rows(
        engine,
        "SELECT e.starts_at < :anchor, a.presence, count(*) FROM attendances a "
        "JOIN events e ON e.id = a.event_id GROUP BY 1, 2",
        anchor=ANCHOR,
    )
    future = {presence: n for past, presence, n in by_when if not past}
    past = {presence: n for past, presence, n in by_when if past}
    assert set(future) == {"unknown"} and future["unknown"] > 0
    assert past["attended"] > past["no_show"] > 0 and past["unknown"] > 0
    checked_in_late = _scalar(
        engine,
        "SELECT count(*) FROM attendances a JOIN events e ON e.id = a.event_id "
        "WHERE (a.checked_in_at IS NOT NULL OR a.walk_in) AND e.starts_at >= :anchor",
        anchor=ANCHOR,
    )
    assert checked_in_late == 0
    assert _scalar(engine, "SELECT count(*) FROM attendances WHERE walk_in") > 0
    brought_by_someone_absent = _scalar(
        engine,
        "SELECT count(*) FROM attendances a WHERE a.brought_by_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM attendances b WHERE b.event_id = a.event_id "
        "AND b.supporter_id = a.brought_by_id AND b.presence = 'attended')",
    )
    assert brought_by_someone_absent == 0
    assert _scalar(engine, "SELECT count(*) FROM attendances WHERE brought_by_id > 0") > 0
    cancelled = "SELECT count(*) FROM attendances a JOIN events e ON e.id = a.event_id "
    assert _scalar(engine, cancelled + "WHERE e.status = 'cancelled'") == 0


def test_event_attendance_actions_match_attended_attendances_exactly(engine):
    _seed(engine)
    attended = _rows(
        engine,
        "SELECT event_id, supporter_id FROM attendances WHERE presence = 'attended' ORDER BY 1, 2",
    )
    logged = _rows(
        engine,
        "SELECT a.event_id, a.supporter_id FROM actions a JOIN action_kinds k "
        "ON k.id = a.action_kind_id WHERE k.name = 'event_attendance' ORDER BY 1, 2",
    )
    assert attended == logged and len(logged) > 100


def test_events_are_hosted_by_mobilisers_who_attended_them(engine):
    _seed(engine)
    hosts = _rows(
        engine,
        "SELECT s.rung, count(*) FROM events e JOIN supporters s ON s.id = e.host_id GROUP BY 1",
    )
    assert [rung for rung, _ in hosts] == ["mobilise"]
    absent_hosts = _scalar(
        engine,
        "SELECT count(*) FROM events e WHERE e.host_id IS NOT NULL AND e.status <> 'cancelled' "
        "AND NOT EXISTS (SELECT 1 FROM attendances a WHERE a.event_id = e.id "
        "AND a.supporter_id = e.host_id)",
    )
    assert absent_hosts == 0


def test_nobody_acts_after_the_anchor_or_after_going_quiet(engine):
    _seed(engine)
    assert _scalar(engine, "SELECT count(*) FROM actions WHERE occurred_at >= :a", a=ANCHOR) == 0
    lapsed_but_busy = _scalar(
        engine,
        "SELECT count(DISTINCT s.id) FROM supporters s JOIN actions a ON a.supporter_id = s.id "
        "WHERE s.status = 'lapsed' AND a.occurred_at > :quiet_limit",
        quiet_limit=ANCHOR - timedelta(days=180),
    )
    assert lapsed_but_busy == 0
    assert _scalar(engine, "SELECT count(*) FROM supporters WHERE status = 'lapsed'") > 20
    quiet_but_active = _scalar(
        engine,
        "SELECT count(*) FROM supporters s WHERE s.status = 'active' AND NOT EXISTS "
        "(SELECT 1 FROM actions a WHERE a.supporter_id = s.id AND a.occurred_at > :since)",
        since=ANCHOR - timedelta(days=180),
    )
    assert quiet_but_active > 20  # for the lapse rule to find


def test_contacts_are_normalised_and_emails_unique(engine):
    _seed(engine, locale="en_GB")
    people = _rows(engine, "SELECT email, phone, postcode FROM supporters")
    emails = [email for email, _, _ in people if email]
    assert len(emails) == len(set(emails)) > 0.8 * len(people)
    assert all(normalise_email(email) == email for email in emails)
    phones = [phone for _, phone, _ in people if phone]
    assert len(phones) == len(set(phones)) and all(p.startswith("+44") for p in phones)
    assert all(normalise_phone(phone) == phone for phone in phones)
    assert all(postcode and postcode == postcode.upper() for _, _, postcode in people)


def test_the_petition_campaign_counts_signatures_toward_twenty_five_thousand(engine):
    _seed(engine)
    goals = dict(_rows(engine, "SELECT metric, target FROM campaign_goals"))
    assert goals == {"actions:petition": 25_000, "rung:mobilise": 50}
    unattached = _scalar(
        engine,
        "SELECT count(*) FROM actions a JOIN action_kinds k ON k.id = a.action_kind_id "
        "WHERE k.name = 'petition' AND a.campaign_id IS NULL",
    )
    signed = _scalar(engine, "SELECT count(*) FROM actions WHERE campaign_id = 1")
    assert unattached == 0 and signed > 300


def test_a_movement_with_its_own_ambassador_rung_gets_evidence_for_it(engine):
    text_ladder = default_ladder_path().read_text(encoding="utf-8").split("[promotion]")[0]
    ladder = parse_ladder(
        text_ladder
        + '\n[[rungs]]\nname = "ambassador"\n\n[[action_kinds]]\nname = "speak_at_school"\n'
        'rung = "ambassador"\n'
    )
    _seed(engine, people=3000, ladder=ladder)
    counts = dict(_rows(engine, "SELECT rung, count(*) FROM supporters GROUP BY rung"))
    assert counts["follow"] > counts["attend"] > counts["mobilise"] > counts["ambassador"] > 0
    speeches = _scalar(
        engine,
        "SELECT count(*) FROM actions a JOIN action_kinds k ON k.id = a.action_kind_id "
        "WHERE k.name = 'speak_at_school'",
    )
    assert speeches >= counts["ambassador"]


def test_seeding_a_database_that_already_has_supporters_is_refused_and_changes_nothing(engine):
    _seed(engine, people=300)
    before = _scalar(engine, "SELECT count(*) FROM actions")
    with pytest.raises(ConflictError, match="already holds 300 supporters"):
        _seed(engine, people=300, seed=8)
    assert _scalar(engine, "SELECT count(*) FROM actions") == before
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Supporter)) == 300


def test_a_ladder_without_action_kinds_still_gives_everyone_the_first_rung():
    ladder = parse_ladder('[[rungs]]\nname = "curious"\n\n[[rungs]]\nname = "organiser"\n')
    m = build_movement(ladder, 300, 5, "fr_FR", ANCHOR)
    assert len(m.actions.person) == 0
    assert (m.people.level == 0).all()


@settings(max_examples=20, deadline=None)
@given(people=st.integers(min_value=1, max_value=400), seed=st.integers(0, 10_000))
@pytest.mark.slow
def test_any_small_movement_keeps_its_invariants(people, seed):
    m = build_movement(LADDER, people, seed, "fr_FR", ANCHOR)
    recruiter = m.population.recruiter
    assert all(r < i for i, r in enumerate(recruiter.tolist()) if r >= 0)
    assert (m.actions.occurred < 0).all()
    assert len(m.actions.person) >= people  # everyone joined with an action
    level = m.people.level
    assert ((level >= 0) & (level < len(LADDER.rungs))).all()
    assert set(Base.metadata.tables) >= {model.__tablename__ for model, _, _ in WRITE_PLAN}

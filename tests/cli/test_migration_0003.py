"""Migration 0003 (action notes, a campaign's group, the campaign progress index) on a base
that already holds campaigns, actions and the events that point at them, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from ladder.storage.engine import make_engine
from ladder.storage.schema import upgrade, upgrade_to

ROWS = [
    "INSERT INTO local_groups (id, name, created_at) VALUES (1, 'Nouméa', '2026-01-01')",
    "INSERT INTO campaigns (id, name, created_at) VALUES (1, 'Pétition', '2026-01-01')",
    "INSERT INTO campaign_goals (campaign_id, metric, target) VALUES (1, 'actions:petition', 5)",
    "INSERT INTO action_kinds (id, name) VALUES (1, 'petition')",
    "INSERT INTO supporters (id, first_name, rung, rung_since, created_at, status, "
    "consent_email, consent_sms, consent_photo, rung_set_manually) "
    "VALUES (1, 'Awa', 'follow', '2026-01-01', '2026-01-01', 'active', false, false, false, false)",
    "INSERT INTO events (id, title, kind, starts_at, campaign_id, status, key_date, created_at) "
    "VALUES (1, 'Stand', 'fair', '2026-02-01', 1, 'confirmed', false, '2026-01-01')",
    "INSERT INTO actions (id, supporter_id, action_kind_id, occurred_at, campaign_id, event_id, "
    "created_at) VALUES (1, 1, 1, '2026-02-01 10:00', 1, 1, '2026-02-01')",
]


def test_upgrading_a_full_0002_base_keeps_every_row_and_adds_the_columns(db_url):
    engine = make_engine(db_url)
    upgrade_to(engine, "0002")
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    engine.dispose()

    upgrade(db_url)

    engine = make_engine(db_url)
    with engine.connect() as connection:
        action = connection.execute(
            text("SELECT supporter_id, campaign_id, event_id, note FROM actions")
        ).one()
        campaign = connection.execute(text("SELECT name, local_group_id FROM campaigns")).one()
        event = connection.execute(text("SELECT campaign_id FROM events")).one()
        indexes = {i["name"] for i in inspect(connection).get_indexes("actions")}
    assert tuple(action) == (1, 1, 1, None)
    assert tuple(campaign) == ("Pétition", None)
    assert tuple(event) == (1,)
    assert "ix_actions_campaign_occurred" in indexes
    assert "ix_actions_campaign_id" not in indexes
    with engine.begin() as connection:
        connection.execute(text("UPDATE campaigns SET local_group_id = 1"))
        connection.execute(text("UPDATE actions SET note = 'au stand'"))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE campaigns SET local_group_id = 99"))
    engine.dispose()

"""A small known world for the organisations' tests: two partners, four people, five events,
a petition campaign (all times relative to now).

- "Mairie de Lyon" (city, member): Awa (role "adjointe"), Jean. "Amis de la Terre": Léa.
  Zoé represents nobody.
- Forum des associations, 10 days ago: Awa, Jean and Zoé came. Atelier vélo, 5 days ago:
  Awa came, Léa said no-show. Réunion de réseau, 60 days ago: Jean came (before a 30-day
  window). Marche pour le climat, in 20 days: a key date the Mairie co-organises.
  Marche annulée, in 25 days: a cancelled key date.
- Pétition (goal 10 signatures): one signature 40 days ago, two 3 days ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, insert, select

from ladder.clock import utcnow
from ladder.domain.names import fold
from ladder.orgs.affiliations import add_affiliations
from ladder.storage.models import (
    Action,
    ActionKind,
    Attendance,
    Campaign,
    CampaignGoal,
    PartnerOrganisation,
)
from tests.factories import add_event, add_person

DAY = timedelta(days=1)


@dataclass
class OrgWorld:
    mairie: int
    amis: int
    awa: int
    jean: int
    lea: int
    zoe: int
    forum: int
    atelier: int
    reunion: int
    marche: int
    annulee: int


def build_org_world(engine: Engine) -> OrgWorld:
    now = utcnow()
    long_ago = now - 400 * DAY
    people = {
        name: add_person(
            engine, name, "Testeur", email=f"{fold(name)}@example.org", created_at=long_ago,
            rung_since=long_ago, consent_email=True,
        )
        for name in ("Awa", "Jean", "Léa", "Zoé")
    }  # fmt: skip
    with engine.begin() as connection:
        mairie, amis = (
            connection.execute(
                insert(PartnerOrganisation)
                .values(name=name, kind=kind, member=member, created_at=long_ago)
                .returning(PartnerOrganisation.id)
            ).scalar_one()
            for name, kind, member in (
                ("Mairie de Lyon", "city", True),
                ("Amis de la Terre", "association", False),
            )
        )
        add_affiliations(
            connection,
            [
                (people["Awa"], mairie, "adjointe", None),
                (people["Jean"], mairie, None, None),
                (people["Léa"], amis, "trésorière", None),
            ],
            now,
        )
    forum = add_event(engine, "Forum des associations", -10 * DAY, postcode="69001")
    atelier = add_event(engine, "Atelier vélo", -5 * DAY, postcode="69001")
    reunion = add_event(engine, "Réunion de réseau", -60 * DAY)
    marche = add_event(
        engine, "Marche pour le climat", 20 * DAY, key_date=True, partner_id=mairie,
        postcode="69002", place="Place Bellecour",
    )  # fmt: skip
    annulee = add_event(engine, "Marche annulée", 25 * DAY, key_date=True, status="cancelled")
    came = [
        (forum, people["Awa"]), (forum, people["Jean"]), (forum, people["Zoé"]),
        (atelier, people["Awa"]), (reunion, people["Jean"]),
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(
            insert(Attendance),
            [{"event_id": e, "supporter_id": p, "presence": "attended"} for e, p in came]
            + [{"event_id": atelier, "supporter_id": people["Léa"], "presence": "no_show"}],
        )
        petition = connection.execute(
            select(ActionKind.id).where(ActionKind.name == "petition")
        ).scalar_one()
        campaign = connection.execute(
            insert(Campaign).values(name="Pétition", created_at=long_ago).returning(Campaign.id)
        ).scalar_one()
        connection.execute(
            insert(CampaignGoal).values(campaign_id=campaign, metric="actions", target=10)
        )
        connection.execute(
            insert(Action),
            [
                {
                    "supporter_id": people[who],
                    "action_kind_id": petition,
                    "occurred_at": now - days * DAY,
                    "campaign_id": campaign,
                    "created_at": now,
                }
                for who, days in (("Zoé", 40), ("Awa", 3), ("Léa", 3))
            ],
        )
    return OrgWorld(
        mairie, amis, people["Awa"], people["Jean"], people["Léa"], people["Zoé"],
        forum, atelier, reunion, marche, annulee,
    )  # fmt: skip

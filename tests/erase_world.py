"""A person rich in personal data (and the people around them) for the erasure tests.

Zoltana Quixbury (``world.target``) recruited two people and was recruited by Rosa; she has a
second record merged into her, notes on her actions, another tool's ids, a tag, consent
records with evidence, a level change with a reason, a rule promotion with its evidence, a
check-in at two events and a campaign's actions. Every value that could name her is in
:data:`SECRETS` (none of them is anyone else's), as stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, insert

from ladder.clock import utcnow
from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.people.merge import merge_people
from ladder.rules import promote
from ladder.storage.models import (
    Action,
    ActionKind,
    Affiliation,
    Attendance,
    Campaign,
    CampaignGoal,
    ConsentRecord,
    Contact,
    LevelChange,
    PartnerOrganisation,
    SupporterIdentifier,
    SupporterTag,
    Tag,
)
from tests.factories import add_event, add_person

EMAIL = "zoltana.quixbury@example.org"
PHONE = "+33699887766"
FIRST, LAST = "Zoltana", "Quixbury"
POSTCODE = "ZQ9 7XW"
OLD_EMAIL = "zq.old.address@example.org"  # the record merged into her
OLD_LAST = "Quixbury-Oldname"
NOTE = "met her at the Xylophrax fair, lives above the bakery"
REASON = "Xylophrax organiser, promoted by hand"
CONSENT_SOURCE = "Xylophrax paper form"
CONSENT_EVIDENCE = "scan zqx-evidence-5521.pdf"
SOURCE = "zqx-import"
IDENTIFIER = "nb-zqx-77123"
ACTION_ID = "an:zqx-petition-551"
ROLE = "deputy mayor of Xylophrax-les-Bains"  # her role in the organisation she represents
SECRETS = (
    EMAIL,
    PHONE,
    FIRST,
    LAST,
    POSTCODE,
    OLD_EMAIL,
    OLD_LAST,
    NOTE,
    REASON,
    CONSENT_SOURCE,
    CONSENT_EVIDENCE,
    SOURCE,
    IDENTIFIER,
    ACTION_ID,
    ROLE,
)
# what the byte-level tests grep: her own details and the merged record's
BYTES = (EMAIL, PHONE, FIRST, LAST, POSTCODE, OLD_EMAIL, OLD_LAST, NOTE, IDENTIFIER)


@dataclass
class World:
    target: int
    merged: int
    recruiter: int
    recruits: list[int]
    others: list[int]
    events: list[int]
    campaign: int
    organisation: int


def build_world(engine: Engine, fillers: int = 40) -> World:
    ladder = load_ladder(default_ladder_path())
    now = utcnow()
    long_ago = now - timedelta(days=400)
    others = [
        add_person(
            engine,
            f"Filler{i}",
            f"Person{i}",
            email=f"filler{i}@example.org",
            phone=f"+3361000{i:04d}",
            created_at=long_ago,
            rung_since=long_ago,
        )
        for i in range(fillers // 2)
    ]
    recruiter = add_person(engine, "Rosa", "Parks", created_at=long_ago, rung_since=long_ago)
    target = add_person(
        engine,
        FIRST,
        LAST,
        email=EMAIL,
        phone=PHONE,
        postcode=POSTCODE,
        source=SOURCE,
        recruiter_id=recruiter,
        created_at=long_ago,
        rung_since=long_ago,
    )
    merged = add_person(
        engine, FIRST, OLD_LAST, email=OLD_EMAIL, created_at=long_ago, rung_since=long_ago
    )
    recruits = [
        add_person(engine, f"Recruit{i}", "Jones", recruiter_id=target, created_at=long_ago)
        for i in range(2)
    ]
    below = add_person(engine, "Grand", "Recruit", recruiter_id=recruits[0], created_at=long_ago)
    sibling = add_person(engine, "Other", "Recruit", recruiter_id=recruiter, created_at=long_ago)
    others += [below, sibling]
    others += [
        add_person(engine, f"Filler{i}", f"After{i}", email=f"after{i}@example.org")
        for i in range(fillers // 2)
    ]
    merge_people(engine, ladder, str(target), str(merged), "camille")
    events = [
        add_event(engine, f"Fair {i}", starts_in=timedelta(days=-10 * (i + 1))) for i in range(2)
    ]
    with engine.begin() as connection:
        kind_ids = {row.name: row.id for row in connection.execute(ActionKind.__table__.select())}
        campaign = connection.execute(
            insert(Campaign).values(name="Clean air", created_at=now).returning(Campaign.id)
        ).scalar_one()
        connection.execute(
            insert(CampaignGoal),
            [
                {"campaign_id": campaign, "metric": "actions", "target": 10},
                {"campaign_id": campaign, "metric": "people", "target": 5},
            ],
        )
        for event in events:
            for person, by in [(target, "camille"), (recruits[0], "camille"), (sibling, None)]:
                connection.execute(
                    insert(Attendance).values(
                        event_id=event,
                        supporter_id=person,
                        presence="attended" if by else "unknown",
                        rsvp="accepted",
                        rsvp_at=now - timedelta(days=40),
                        checked_in_at=now - timedelta(days=5) if by else None,
                        checked_in_by=by,
                    )
                )
        petition = kind_ids.get("petition", next(iter(kind_ids.values())))
        actions = [
            (target, NOTE, ACTION_ID),
            (target, None, f"attendance:{events[0]}:{target}"),
            (target, None, None),
            (recruits[1], "signed twice", None),
            (sibling, None, "an:other-petition-1"),
        ]
        for i, (person, note, external) in enumerate(actions):
            connection.execute(
                insert(Action).values(
                    supporter_id=person,
                    action_kind_id=petition,
                    occurred_at=now - timedelta(days=3 + i),
                    campaign_id=campaign,
                    logged_by="camille",
                    external_id=external,
                    created_at=now,
                    note=note,
                )
            )
        connection.execute(
            insert(LevelChange).values(
                supporter_id=target,
                from_rung="follow",
                to_rung="follow",
                from_status="active",
                to_status="active",
                changed_at=now - timedelta(days=100),
                changed_by="camille",
                reason=REASON,
            )
        )
        connection.execute(
            insert(ConsentRecord),
            [
                {
                    "supporter_id": target,
                    "channel": channel,
                    "given": True,
                    "source": CONSENT_SOURCE,
                    "wording": "v2",
                    "evidence": CONSENT_EVIDENCE,
                    "recorded_by": "camille",
                    "recorded_at": long_ago,
                }
                for channel in ("email", "sms")
            ],
        )
        connection.execute(
            insert(SupporterIdentifier).values(
                supporter_id=target, namespace="nationbuilder_id", value=IDENTIFIER, created_at=now
            )
        )
        tag = connection.execute(
            insert(Tag).values(name="volunteer").returning(Tag.id)
        ).scalar_one()
        connection.execute(insert(SupporterTag).values(supporter_id=target, tag_id=tag))
        connection.execute(insert(SupporterTag).values(supporter_id=sibling, tag_id=tag))
        connection.execute(
            insert(Contact).values(
                supporter_id=target,
                channel="email",
                purpose="invitation to Fair 0",
                contacted_at=now - timedelta(days=20),
                contacted_by="camille",
            )
        )
        organisation = connection.execute(
            insert(PartnerOrganisation)
            .values(name="Mairie de Xylophrax", created_at=now)
            .returning(PartnerOrganisation.id)
        ).scalar_one()
        connection.execute(
            insert(Affiliation),
            [
                {"supporter_id": p, "organisation_id": organisation, "role": r, "created_at": now}
                for p, r in ((target, ROLE), (recruits[0], "treasurer"), (sibling, None))
            ],
        )
    promote(engine, ladder, now)  # a rule promotion with its evidence (counts and ids)
    return World(target, merged, recruiter, recruits, others, events, campaign, organisation)

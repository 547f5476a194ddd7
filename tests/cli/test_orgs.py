"""`ladder orgs add / edit / list / show`, `people affiliate / unaffiliate`, `events list
--org`, `next --org`: on a known world, both databases; refusals change nothing."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from ladder.domain.ladderfile import default_ladder_path, load_ladder
from ladder.people.merge import merge_people
from ladder.storage.models import Affiliation, AuditEntry, PartnerOrganisation
from tests.factories import add_person, dump
from tests.orgs_world import build_org_world


def test_add_stores_the_organisation_and_a_folded_name_is_refused(ladder_cli, engine):
    added = ladder_cli(
        "orgs", "add", "Mairie de Lyon", "--kind", "City", "--member", "--postcode", "69001",
        "--website", "https://lyon.fr",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == "Added organisation #1 Mairie de Lyon."
    with engine.connect() as connection:
        row = connection.execute(
            select(
                PartnerOrganisation.name, PartnerOrganisation.kind, PartnerOrganisation.member,
                PartnerOrganisation.postcode, PartnerOrganisation.website,
            )
        ).one()  # fmt: skip
    assert tuple(row) == ("Mairie de Lyon", "city", True, "69001", "https://lyon.fr")
    before = dump(engine)
    again = ladder_cli("orgs", "add", "MAIRIE DE LYÔN")
    assert again.exit_code == 1
    assert again.stderr.strip() == (
        "Error: an organisation called 'Mairie de Lyon' already exists: pick another name"
    )
    assert dump(engine) == before


def test_an_unknown_organisation_is_one_line_with_the_close_names(ladder_cli, engine):
    build_org_world(engine)
    before = dump(engine)
    for args in (
        ("orgs", "show", "Mairie de Lyin"),
        ("orgs", "edit", "Mairie de Lyin", "--member"),
        ("people", "affiliate", "zoe@example.org", "Mairie de Lyin"),
        ("events", "list", "--org", "Mairie de Lyin"),
    ):
        result = ladder_cli(*args)
        assert result.exit_code == 1, args
        assert result.stderr.strip() == (
            "Error: unknown organisation 'Mairie de Lyin' (did you mean Mairie de Lyon?)"
        )
    assert dump(engine) == before


def test_list_counts_people_and_partnered_events_in_every_format(ladder_cli, engine):
    build_org_world(engine)
    listed = ladder_cli("orgs", "list", "--format", "csv")
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert [(r["name"], r["people"], r["events"], r["member"]) for r in rows] == [
        ("Amis de la Terre", "1", "0", "False"),
        ("Mairie de Lyon", "2", "1", "True"),
    ]
    members = json.loads(ladder_cli("orgs", "list", "--member", "--format", "json").stdout)
    assert [m["name"] for m in members] == ["Mairie de Lyon"]
    others = json.loads(ladder_cli("orgs", "list", "--no-member", "--format", "json").stdout)
    assert [m["name"] for m in others] == ["Amis de la Terre"]


def test_edit_changes_only_what_is_given_and_audits_field_names(ladder_cli, engine):
    world = build_org_world(engine)
    edited = ladder_cli("orgs", "edit", "mairie de lyon", "--no-member", "--notes", "rdv mardi")
    assert edited.exit_code == 0, edited.output
    with engine.connect() as connection:
        row = connection.execute(
            select(
                PartnerOrganisation.kind, PartnerOrganisation.member, PartnerOrganisation.notes
            ).where(PartnerOrganisation.id == world.mairie)
        ).one()
        audit = connection.execute(select(AuditEntry.command, AuditEntry.fields)).all()
    assert tuple(row) == ("city", False, "rdv mardi")
    assert [tuple(a) for a in audit] == [("orgs edit", ["member", "notes"])]
    before = dump(engine)
    nothing = ladder_cli("orgs", "edit", "Mairie de Lyon")
    assert nothing.exit_code == 2 and "nothing to change" in nothing.stderr
    assert dump(engine) == before


def test_show_gives_people_roles_events_with_counts_and_partnered_events(ladder_cli, engine):
    world = build_org_world(engine)
    shown = ladder_cli("orgs", "show", "Mairie de Lyon", "--format", "json")
    assert shown.exit_code == 0, shown.output
    found = json.loads(shown.stdout)
    assert [(p["name"], p["rung"], p["role"]) for p in found["people"]] == [
        ("Awa Testeur", "follow", "adjointe"),
        ("Jean Testeur", "follow", None),
    ]
    # Zoé came to the forum too, but represents nobody: two of the Mairie's people
    assert [(e["title"], e["people"]) for e in found["attended"]] == [
        ("Atelier vélo", 1),
        ("Forum des associations", 2),
        ("Réunion de réseau", 1),
    ]
    assert [(e["id"], e["title"]) for e in found["partnered"]] == [
        (world.marche, "Marche pour le climat")
    ]
    assert (found["people_count"], found["events_attended"]) == (2, 3)
    assert found["last_contact"].startswith(found["attended"][0]["starts"][:10])
    table = ladder_cli("orgs", "show", "#1")
    assert "adjointe" in table.stdout and "Events it co-organised (1)" in table.stdout


def test_affiliate_twice_is_refused_and_update_changes_the_role(ladder_cli, engine):
    world = build_org_world(engine)
    added = ladder_cli(
        "people", "affiliate", "zoe@example.org", "amis de la terre", "--role", "bénévole",
        "--since", "2025-09-01",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == (
        f"#{world.zoe} Zoé Testeur now represents Amis de la Terre as bénévole."
    )
    before = dump(engine)
    again = ladder_cli("people", "affiliate", "zoe@example.org", "Amis de la Terre")
    assert again.exit_code == 1
    assert again.stderr.strip() == (
        f"Error: #{world.zoe} Zoé Testeur already represents Amis de la Terre: "
        "pass --update to change the role or date"
    )
    assert dump(engine) == before
    updated = ladder_cli(
        "people", "affiliate", "zoe@example.org", "Amis de la Terre", "--update", "--role", "co"
    )
    assert updated.exit_code == 0, updated.output
    also = ladder_cli("people", "affiliate", "zoe@example.org", "Mairie de Lyon")
    assert also.exit_code == 0  # a person may represent several organisations
    with engine.connect() as connection:
        rows = connection.execute(
            select(Affiliation.organisation_id, Affiliation.role, Affiliation.since)
            .where(Affiliation.supporter_id == world.zoe)
            .order_by(Affiliation.organisation_id)
        ).all()
        audits = connection.execute(
            select(AuditEntry.command, AuditEntry.fields).order_by(AuditEntry.id)
        ).all()
    assert [(o, r, str(s)) for o, r, s in rows] == [
        (world.mairie, None, "None"),
        (world.amis, "co", "2025-09-01"),
    ]
    assert [tuple(a) for a in audits] == [
        ("people affiliate", ["organisation", "role", "since"]),
        ("people affiliate", ["organisation", "role"]),
        ("people affiliate", ["organisation"]),
    ]
    gone = ladder_cli("people", "unaffiliate", "zoe@example.org", "Mairie de Lyon")
    assert gone.exit_code == 0, gone.output
    before = dump(engine)
    not_there = ladder_cli("people", "unaffiliate", "zoe@example.org", "Mairie de Lyon")
    assert not_there.exit_code == 1
    assert not_there.stderr.strip() == (
        f"Error: #{world.zoe} Zoé Testeur does not represent Mairie de Lyon"
    )
    assert dump(engine) == before


def test_an_affiliation_survives_a_merge(engine):
    world = build_org_world(engine)
    # a second record of Awa: it represents the Mairie (again) and Amis de la Terre
    other = add_person(engine, "Awa", "Testeur-Doublon")
    with engine.begin() as connection:
        from ladder.clock import utcnow
        from ladder.orgs.affiliations import add_affiliations

        add_affiliations(
            connection,
            [(other, world.mairie, "maire", None), (other, world.amis, "membre", None)],
            utcnow(),
        )
    merge_people(engine, load_ladder(default_ladder_path()), str(world.awa), str(other), "t")
    with engine.connect() as connection:
        rows = connection.execute(
            select(Affiliation.supporter_id, Affiliation.organisation_id, Affiliation.role)
            .where(Affiliation.supporter_id.in_([world.awa, other]))
            .order_by(Affiliation.organisation_id)
        ).all()
    # the kept record keeps its own role at the Mairie and takes Amis de la Terre
    assert [tuple(r) for r in rows] == [
        (world.awa, world.mairie, "adjointe"),
        (world.awa, world.amis, "membre"),
    ]


def test_events_list_by_organisation(ladder_cli, engine):
    world = build_org_world(engine)
    listed = ladder_cli("events", "list", "--org", "Mairie de Lyon", "--format", "json")
    assert listed.exit_code == 0, listed.output
    ids = [e["id"] for e in json.loads(listed.stdout)]
    assert ids == [world.marche, world.atelier, world.forum, world.reunion]
    amis = ladder_cli("events", "list", "--org", "amis de la terre", "--format", "json")
    assert amis.exit_code == 0, amis.output
    assert json.loads(amis.stdout) == []  # Léa did not come to the atelier: a no-show


def test_next_for_an_event_lists_only_the_organisations_people(ladder_cli, engine):
    world = build_org_world(engine)
    asked = ladder_cli(
        "next", "--event", str(world.marche), "--org", "Mairie de Lyon", "--format", "json"
    )
    assert asked.exit_code == 0, asked.output
    assert sorted(p["id"] for p in json.loads(asked.stdout)) == [world.awa, world.jean]
    everyone = ladder_cli("next", "--event", str(world.marche), "--near", "69", "--format", "json")
    assert everyone.exit_code == 0, everyone.output


def test_the_people_import_reads_an_organisation_column_and_a_role(ladder_cli, engine, tmp_path):
    world = build_org_world(engine)
    sheet = tmp_path / "contacts.csv"
    sheet.write_text(
        "Prénom,Nom,Email,Structure,Fonction\n"
        "Nadia,Ferré,nadia@example.org,MAIRIE DE LYON,adjointe culture\n"
        "Paul,Nguyen,paul@example.org,Centre social Nord,animateur\n"
        "Jean,Testeur,jean@example.org,Mairie de Lyon,conseiller\n"
        "Rémi,Sans,remi@example.org,,\n",
        encoding="utf-8",
    )
    result = ladder_cli("people", "import", str(sheet))
    assert result.exit_code == 0, result.output
    assert "Structure -> organisation" in result.stdout and "Fonction -> role" in result.stdout
    with engine.connect() as connection:
        orgs = dict(
            connection.execute(select(PartnerOrganisation.name, PartnerOrganisation.id)).all()
        )
        rows = connection.execute(
            select(Affiliation.organisation_id, Affiliation.supporter_id, Affiliation.role)
        ).all()
    assert set(orgs) == {"Mairie de Lyon", "Amis de la Terre", "Centre social Nord"}
    by_org = sorted((o, r) for o, _p, r in rows)
    assert by_org == sorted(
        [
            (world.mairie, "adjointe"),
            (world.mairie, "conseiller"),  # Jean was already there: the row gives his role
            (world.mairie, "adjointe culture"),
            (world.amis, "trésorière"),
            (orgs["Centre social Nord"], "animateur"),
        ]
    )
    again = ladder_cli("people", "import", str(sheet))  # the same file: nothing new
    assert again.exit_code == 0, again.output
    with engine.connect() as connection:
        assert len(connection.execute(select(Affiliation.id)).all()) == len(rows)


def test_the_demo_gives_each_partner_a_few_people_of_its_group(ladder_cli, engine):
    from sqlalchemy import text

    seeded = ladder_cli("seed", "--people", "300")
    assert seeded.exit_code == 0, seeded.output
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT o.id, o.local_group_id, s.local_group_id, a.role FROM affiliations a "
                "JOIN partner_organisations o ON o.id = a.organisation_id "
                "JOIN supporters s ON s.id = a.supporter_id"
            )
        ).all()
        partners = connection.execute(text("SELECT count(*) FROM partner_organisations")).scalar()
    per_partner: dict[int, int] = {}
    for org, _group, _person_group, _role in rows:
        per_partner[org] = per_partner.get(org, 0) + 1
    assert len(per_partner) == partners and set(per_partner.values()) == {4}
    assert all(group == person_group and role for _o, group, person_group, role in rows)


def test_list_by_kind_ignores_case_and_accents(ladder_cli, engine):
    for name, kind in (("Lycée Ampère", "Lycée"), ("École Rosa Parks", "école"), ("CCAS", "city")):
        assert ladder_cli("orgs", "add", name, "--kind", kind).exit_code == 0
    listed = ladder_cli("orgs", "list", "--kind", "LYCEE", "--format", "json")
    assert [(o["name"], o["kind"]) for o in json.loads(listed.stdout)] == [
        ("Lycée Ampère", "lycée")
    ]

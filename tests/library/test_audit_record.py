"""The audit writer: one entry, the people it touched (listed or selected), no values."""

from sqlalchemy import select

from ladder.privacy.audit import record
from ladder.storage.models import AuditEntry, AuditPerson, Supporter
from tests.factories import person


def test_an_entry_names_the_people_and_fields_it_was_given(engine):
    awa, jean = person(engine, first_name="Awa"), person(engine, first_name="Jean")
    with engine.begin() as connection:
        entry = record(
            connection, "camille", "people edit", people=[awa, jean, awa], fields=["phone", "email"]
        )
    with engine.connect() as connection:
        row = connection.execute(select(AuditEntry).where(AuditEntry.id == entry)).one()
        touched = connection.scalars(
            select(AuditPerson.supporter_id).where(AuditPerson.entry_id == entry)
        ).all()
    assert (row.actor, row.command, row.fields, row.people) == (
        "camille", "people edit", ["email", "phone"], 2,
    )  # fmt: skip
    assert sorted(touched) == sorted([awa, jean])


def test_a_select_of_ids_is_copied_in_one_statement(engine):
    ids = [
        person(engine, first_name=f"P{i}", postcode="98800" if i % 2 else "75011") for i in range(6)
    ]
    with engine.begin() as connection:
        entry = record(
            connection,
            "camille",
            "privacy sweep",
            people=select(Supporter.id).where(Supporter.postcode == "98800"),
            detail={"erased": 3},
        )
    with engine.connect() as connection:
        row = connection.execute(select(AuditEntry).where(AuditEntry.id == entry)).one()
        touched = connection.scalars(
            select(AuditPerson.supporter_id).where(AuditPerson.entry_id == entry)
        ).all()
    assert sorted(touched) == ids[1::2]
    assert (row.people, row.detail) == (3, {"erased": 3})


def test_a_rolled_back_change_leaves_no_entry(engine):
    awa = person(engine, first_name="Awa")
    try:
        with engine.begin() as connection:
            record(connection, "camille", "people erase", people=[awa])
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    with engine.connect() as connection:
        assert connection.scalars(select(AuditEntry.id)).all() == []

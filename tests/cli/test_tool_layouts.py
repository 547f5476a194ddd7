"""Every export layout of ladder/tabular/headers.toml imports without --map: a file built from
its documented columns keeps names, email, phone and consent; another tool's id is kept as
that tool's identifier, so a later file from it finds the same people."""

import csv
import io

import pytest
from sqlalchemy import select

from ladder.storage.models import Supporter, SupporterIdentifier
from ladder.tabular.headers import NEGATED, TOOL_ID, layouts
from tests.factories import dump, person, write

pytestmark = pytest.mark.usefixtures("known_both_ways")

LAYOUTS = sorted(layouts())
VALUES = {
    "first_name": ["Awa", "Zoé"],
    "last_name": ["Diallo", "Cœur"],
    "full_name": ["Awa Diallo", "Zoé Cœur"],
    "email": ["awa@example.org", "zoe@example.org"],
    "phone": ["06 12 34 56 78", "+33 6 98 76 54 32"],
    "postcode": ["75011", "69001"],
    "tags": ["bénévole; porte-à-porte", "bénévole"],
    "recruited_by": ["", "awa@example.org"],
    "consent_email": ["yes", "no"],
    "consent_sms": ["no", ""],
    NEGATED + "consent_email": ["0", "1"],  # Do Not Email: 0 is a yes to emails
    NEGATED + "consent_sms": ["1", ""],
}
PHONES = ["+33612345678", "+33698765432"]


def _layout_file(name: str, ids=("T-1", "T-2"), emails=None) -> str:
    """Two rows under the layout's documented header (plus a phone and a consent column
    when the layout documents none: a form's own questions)."""
    layout = layouts()[name]
    header = list(layout.header)
    by_column = {c: f for f, columns in layout.columns.items() for c in columns}
    fields = set(by_column.values())
    if not fields & {"first_name", "full_name"}:
        header += ["Prénom", "Nom"]
        by_column.update({"Prénom": "first_name", "Nom": "last_name"})
    if "phone" not in fields:
        header.append("Téléphone portable")
        by_column["Téléphone portable"] = "phone"
    if not fields & {"consent_email", NEGATED + "consent_email"}:
        header.append("Accepte les e-mails")
        by_column["Accepte les e-mails"] = "consent_email"
    rows = []
    for i in range(2):
        row = []
        for column in header:
            field = by_column.get(column)
            if column == layout.identifier and layout.tool:
                row.append(ids[i])
            elif column == layout.identifier:
                row.append("")  # ladder's own id: blank = a new person
            elif field == "email" and emails:
                row.append(emails[i])
            elif field in VALUES:
                row.append(VALUES[field][i])
            else:
                row.append("" if field else "other")
        rows.append(row)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue()


def _people(engine):
    with engine.connect() as connection:
        return connection.execute(
            select(
                Supporter.id,
                Supporter.first_name,
                Supporter.last_name,
                Supporter.email,
                Supporter.phone,
                Supporter.consent_email,
            ).order_by(Supporter.id)
        ).all()


def _identifiers(engine):
    with engine.connect() as connection:
        return connection.execute(
            select(
                SupporterIdentifier.supporter_id,
                SupporterIdentifier.namespace,
                SupporterIdentifier.value,
            ).order_by(SupporterIdentifier.value)
        ).all()


@pytest.mark.parametrize("name", LAYOUTS)
def test_each_layout_imports_from_its_documented_columns_without_map(
    ladder_cli, engine, tmp_path, name
):
    layout = layouts()[name]
    path = write(tmp_path, f"{name}.csv", _layout_file(name))

    result = ladder_cli("people", "import", path)

    assert result.exit_code == 0, result.output
    assert not result.stdout.startswith("warning"), result.stdout
    assert "Created 2, updated 0, unchanged 0." in result.stdout
    people = _people(engine)
    assert [(p.first_name, p.last_name) for p in people] == [("Awa", "Diallo"), ("Zoé", "Cœur")]
    assert [p.email for p in people] == ["awa@example.org", "zoe@example.org"]
    assert [p.phone for p in people] == PHONES
    assert [p.consent_email for p in people] == [True, False]
    if layout.tool:
        assert f"Read as: {layout.title}; its ids kept as {layout.tool} ids." in result.stdout
        assert _identifiers(engine) == [
            (people[0].id, layout.tool, "T-1"),
            (people[1].id, layout.tool, "T-2"),
        ]
    else:
        assert _identifiers(engine) == []


@pytest.mark.parametrize("name", [n for n in LAYOUTS if layouts()[n].tool])
def test_a_later_file_from_the_same_tool_finds_the_same_people_by_its_ids(
    ladder_cli, engine, tmp_path, name
):
    ladder_cli("people", "import", write(tmp_path, "first.csv", _layout_file(name)))
    before = _people(engine)
    later = _layout_file(name, emails=["awa.diallo@new.org", "zoe.coeur@new.org"])

    result = ladder_cli("people", "import", write(tmp_path, "later.csv", later))

    assert result.exit_code == 0, result.output
    assert "Created 0, updated 2, unchanged 0." in result.stdout
    after = _people(engine)
    assert [p.id for p in after] == [p.id for p in before]
    assert [p.email for p in after] == ["awa.diallo@new.org", "zoe.coeur@new.org"]
    assert len(_identifiers(engine)) == 2


def test_another_tools_id_is_never_read_as_a_ladder_id(ladder_cli, engine, tmp_path):
    person(engine, first_name="Awa", last_name="Diallo", email="awa@example.org")
    content = (
        "id,user_id,user__given_name,user__family_name,user__email_address\n"
        "1,1,Zoé,Cœur,zoe@example.org\n"
    )

    result = ladder_cli("people", "import", write(tmp_path, "mobilize.csv", content), "--dry-run")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:7] == [
        f"How {tmp_path / 'mobilize.csv'} is read (Mobilize participations (SQL mirror / data "
        "warehouse sync)):",
        "  user_id -> mobilize id (kept to find the same people in later files)",
        "  user__given_name -> first_name",
        "  user__family_name -> last_name",
        "  user__email_address -> email",
        "  id -> ignored",
        f"Read {tmp_path / 'mobilize.csv'} (utf-8, comma-separated): 1 rows.",
    ]
    assert "would create 1, update 0" in result.stdout


def test_a_header_fitting_two_tools_asks_which_and_source_tool_says(ladder_cli, engine, tmp_path):
    content = "nationbuilder_id,Contact ID,first_name,email\n7,8,Awa,awa@example.org\n"
    path = write(tmp_path, "both.csv", content)
    before = dump(engine)

    refused = ladder_cli("people", "import", path)

    assert refused.exit_code == 2
    assert (
        "the header fits the exports of nationbuilder or civicrm: say which with "
        "--source-tool NAME" in refused.stderr
    )
    assert dump(engine) == before
    result = ladder_cli("people", "import", path, "--source-tool", "civicrm")
    assert result.exit_code == 0, result.output
    assert [row[1:] for row in _identifiers(engine)] == [("civicrm", "8")]


def test_a_tool_ladder_has_no_layout_for_names_its_id_column_with_map(ladder_cli, engine, tmp_path):
    content = "N° adhérent;Prénom;Courriel\nA-17;Awa;awa@example.org\n"
    path = write(tmp_path, "helloasso.csv", content)

    unnamed = ladder_cli("people", "import", path, "--map", "N° adhérent=tool_id")
    named = ladder_cli(
        "people", "import", path, "--map", "N° adhérent=tool_id", "--source-tool", "helloasso"
    )

    assert unnamed.exit_code == 2
    assert (
        "column 'N° adhérent' is read as another tool's id: say which tool with "
        "--source-tool NAME" in unnamed.stderr
    )
    assert named.exit_code == 0, named.output
    assert [row[1:] for row in _identifiers(engine)] == [("helloasso", "A-17")]


def test_merge_moves_the_merged_persons_tool_ids_to_the_kept_one(ladder_cli, engine, tmp_path):
    content = "nationbuilder_id,first_name,last_name,email\n101,Awa,Diallo,awa@example.org\n"
    ladder_cli("people", "import", write(tmp_path, "nb.csv", content))
    person(engine, first_name="Awa", last_name="Diallo", email="awa.d@example.org")
    merged, kept = (p.id for p in _people(engine))

    result = ladder_cli("people", "merge", str(kept), str(merged))

    assert result.exit_code == 0, result.output
    assert _identifiers(engine) == [(kept, "nationbuilder", "101")]
    again = ladder_cli("people", "import", write(tmp_path, "nb2.csv", content))
    assert "Created 0, updated 1, unchanged 0." in again.stdout  # found by its id
    assert [p.email for p in _people(engine) if p.id == kept] == ["awa@example.org"]


def test_tool_id_name_only_the_layout_knows_every_value_is_its_field():
    for layout in layouts().values():
        assert layout.source, layout.name
        assert set(layout.signature) <= set(layout.header), layout.name
        for columns in layout.columns.values():
            assert set(columns) <= set(layout.header), layout.name
        if layout.tool:
            assert layout.identifier in layout.header
    assert TOOL_ID == "tool_id"

"""Schema: migrations equal the models, init and upgrade, and the one-line refusals."""

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from ladder.storage.engine import make_engine
from ladder.storage.models import Base
from ladder.storage.schema import (
    SchemaState,
    head_revision,
    initialise,
    schema_status,
    upgrade,
    upgrade_to,
)
from tests.conftest import Cli


def test_migrations_produce_exactly_the_models_schema(db_url):
    initialise(db_url)
    engine = make_engine(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_init_creates_the_database_at_the_latest_schema(bare_cli, db_url):
    result = bare_cli("init")
    assert result.exit_code == 0, result.output
    assert f"at schema {head_revision()}" in result.stdout
    engine = make_engine(db_url)
    with engine.connect() as connection:
        assert schema_status(connection).state is SchemaState.CURRENT
        kinds = connection.execute(text("SELECT count(*) FROM action_kinds")).scalar_one()
    engine.dispose()
    assert kinds == 15


def test_init_twice_changes_nothing_and_says_so(bare_cli):
    assert bare_cli("init").exit_code == 0
    again = bare_cli("init")
    assert again.exit_code == 0
    assert "already a ladder database" in again.stdout


def test_init_refuses_another_applications_database_and_leaves_it_untouched(bare_cli, db_url):
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)"))
        connection.execute(text("INSERT INTO invoices VALUES (1, 250)"))
    result = bare_cli("init")
    assert result.exit_code == 1
    assert "holds another application's tables" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) == {"invoices"}
        assert connection.execute(text("SELECT total FROM invoices")).scalar_one() == 250
    engine.dispose()


def test_an_out_of_date_database_is_refused_until_db_upgrade(bare_cli, db_url):
    engine = make_engine(db_url)
    upgrade_to(engine, "0001")
    engine.dispose()

    refused = bare_cli("init")
    assert refused.exit_code == 1
    assert "run `ladder db upgrade`" in refused.stderr
    assert "Traceback" not in refused.output

    upgraded = bare_cli("db", "upgrade", "--no-backup")  # backups: test_upgrade_with_data
    assert upgraded.exit_code == 0, upgraded.output
    assert f"from schema 0001 to {head_revision()}" in upgraded.stdout
    assert bare_cli("db", "upgrade").stdout.strip().endswith(f"({head_revision()}).")


def test_a_database_from_a_newer_ladder_is_refused(bare_cli, db_url):
    initialise(db_url)
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    result = bare_cli("db", "upgrade")
    assert result.exit_code == 1
    assert "written by a newer ladder (schema 9999)" in result.stderr


def test_upgrade_of_an_empty_database_says_to_init(db_url):
    from ladder.errors import DatabaseStateError

    with pytest.raises(DatabaseStateError, match="run `ladder init`"):
        upgrade(db_url)


def test_a_missing_sqlite_file_is_one_line_and_is_not_created(tmp_path):
    missing = tmp_path / "nowhere.db"
    result = Cli(str(missing))("db", "upgrade")
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: no database at {missing}: run `ladder init` to create it, or pass --db\n"
    )
    assert not missing.exists()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    engine.dispose()
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000}


def test_foreign_keys_are_enforced_on_both_databases(engine):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO attendances (event_id, supporter_id, presence, walk_in) "
                "VALUES (4242, 4343, 'unknown', false)"
            )
        )


def test_an_unreachable_server_is_one_line_without_traceback():
    result = Cli("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")("init")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: database error: ")
    assert "Traceback" not in result.output


def test_a_garbage_file_is_not_mistaken_for_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("shopping list: bread, milk\n" * 200)
    result = Cli(str(path))("init")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: database error: file is not a database")
    assert path.read_text().startswith("shopping list")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT 1 FROM sqlite_master").fetchall()


def test_the_cheap_head_revision_agrees_with_alembic():
    from alembic.script import ScriptDirectory

    from ladder.storage.schema import alembic_config, known_revisions

    script = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == script.get_current_head()
    assert known_revisions() == {r.revision for r in script.walk_revisions()}

"""Alembic environment for ladder.

`ladder init` and `ladder db upgrade` hand over an open connection in
``config.attributes["connection"]``. Run by hand (``alembic -c ladder/storage/alembic.ini``),
the URL comes from ladder's own settings (``--db``-less: ``LADDER_DATABASE_URL`` or ./ladder.db).
"""

from alembic import context
from sqlalchemy import Connection

from ladder.settings import Settings
from ladder.storage.engine import make_engine
from ladder.storage.models import Base

target_metadata = Base.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    engine = make_engine(Settings.resolve().database_url)
    with engine.begin() as own_connection:
        run_with(own_connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("ladder migrations run online only: use `ladder db upgrade`")
run_migrations_online()

"""Alembic's environment for people's state.

The store runs it at start-up (people/migrate.py) on a connection it holds, inside a transaction
that already holds the migration lock; `alembic -c people/alembic.ini ...` (a new revision,
`alembic check`) connects to DATABASE_URL itself (unset: the SQLite file under DATA_DIR).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from people.schema import metadata
from people.settings import StoreSettings
from people.urls import sqlalchemy_url


def run(connection: Connection) -> None:
    dialect = connection.dialect.name
    context.configure(
        connection=connection,
        target_metadata=metadata,
        transactional_ddl=True,  # SQLite and PostgreSQL both roll DDL back
        render_as_batch=dialect == "sqlite",  # SQLite's ALTER TABLE is narrow: copy-and-move
        # SQLite stores by type affinity: its INTEGER/REAL columns (the baseline's) are the
        # schema's BigInteger/Double; comparing types there would write no-op migrations.
        compare_type=dialect != "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    settings = StoreSettings()
    url = settings.database_url_value or f"sqlite:///{settings.ratings_db}"
    with create_engine(sqlalchemy_url(url)).connect() as conn:
        run(conn)
        conn.commit()

"""One schema for both databases (people/schema.py), replacing the two hand-written ones.

- SQLite gains the replicas' tables (`serving`, `replicas`) PostgreSQL had: harmless there, and
  the same tables everywhere.
- `watchlist.seq`, the order of one person's titles, becomes a plain number the store draws
  (the person's largest + 1) on both: SQLite's watchlist had none (it ordered by rowid, which
  numbers the old rows in the order they came, so they keep it); PostgreSQL's was an identity
  column (its numbers stay).
- The hand-written migrations' `schema_version` table goes: alembic_version holds the schema's
  version now.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE watchlist ALTER COLUMN seq DROP IDENTITY IF EXISTS")
        op.execute("ALTER TABLE watchlist ALTER COLUMN seq SET DEFAULT 0")
    else:
        op.create_table(
            "serving",
            sa.Column("id", sa.Integer, sa.CheckConstraint("id = 1"), primary_key=True),
            sa.Column("version", sa.Text, nullable=False),
            sa.Column("announced_at", sa.BigInteger, nullable=False),
        )
        op.create_table(
            "replicas",
            sa.Column("replica", sa.Text, primary_key=True),
            sa.Column("version", sa.Text, nullable=False),
            sa.Column("loaded_at", sa.BigInteger, nullable=False),
            sa.Column("error", sa.Text),
        )
        op.add_column(
            "watchlist",
            sa.Column("seq", sa.BigInteger, nullable=False, server_default=sa.text("0")),
        )
        op.execute("UPDATE watchlist SET seq = rowid")
    op.execute("DROP TABLE IF EXISTS schema_version")


def downgrade() -> None:
    raise RuntimeError("people's state is never migrated down: restore a backup instead")

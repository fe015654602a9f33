"""task_queue: procrastinate's tables and functions in their own PostgreSQL schema
(``procrastinate``), for solve workers on any machine (docs/deploy.md); the match run
remembers the queue job solving it (``job_id``). SQLite has no queue: only the column.

The schema SQL is procrastinate's own, of the version pinned in pyproject.toml. When that
pin moves, add a migration that runs the new files of ``procrastinate/sql/migrations/``
(see docs/deploy.md, "Upgrading procrastinate").

Revision ID: 4c1f0e9a2b7d
Revises: b068725ba519
Create Date: 2026-12-06 13:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

from webapp.core.taskqueue import create_schema, drop_schema

# revision identifiers, used by Alembic.
revision = "4c1f0e9a2b7d"
down_revision = "b068725ba519"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("match_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_id", sa.BigInteger(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        create_schema(bind.connection.driver_connection)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        drop_schema(bind.connection.driver_connection)
    with op.batch_alter_table("match_run", schema=None) as batch_op:
        batch_op.drop_column("job_id")

"""check_in: a partial index of the open alerts (worried, or the resident unwell, not yet
handled), so the count on the coordinator's day and week reads those few entries instead
of every check-in of the organisation's history. The predicate is the one
``webapp.shifts.models.open_alert`` writes, per dialect (a migration is frozen: written
out, not imported).

Revision ID: c41f7a9e2d58
Revises: 5b8d1e4a2c67
Create Date: 2026-12-06 22:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c41f7a9e2d58"
down_revision = "5b8d1e4a2c67"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_check_in_open_alert",
        "check_in",
        ["organisation_id"],
        postgresql_where=sa.text("handled_at IS NULL AND (worried IS true OR mood = 'unwell')"),
        sqlite_where=sa.text("handled_at IS NULL AND (worried IS 1 OR mood = 'unwell')"),
    )


def downgrade():
    op.drop_index("ix_check_in_open_alert", table_name="check_in")

"""calendar_change: the coordinator's day and week kept rendered (shifts/calendar_cache.py)
are valid while nothing they show changed; every change to a shift, a seat, a request or a
person writes a row for its organisation (shifts/calendar_changes.py). No foreign key to
organisation, on purpose (see the model).

Revision ID: 5b8d1e4a2c67
Revises: 9a4c2e7b1d35
Create Date: 2026-12-06 22:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b8d1e4a2c67"
down_revision = "9a4c2e7b1d35"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_change")),
        sqlite_autoincrement=True,  # ids never reused: a stamp never repeats
    )
    op.create_index(
        "ix_calendar_change_organisation_id", "calendar_change", ["organisation_id", "id"]
    )


def downgrade():
    op.drop_index("ix_calendar_change_organisation_id", table_name="calendar_change")
    op.drop_table("calendar_change")

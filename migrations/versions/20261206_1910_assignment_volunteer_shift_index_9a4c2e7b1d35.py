"""assignment: the volunteer's index holds the shift too, so a volunteer's shifts are read
from the index alone (PostgreSQL scanned the whole (shift_id, volunteer_id) index instead,
for a volunteer with a year of history: the schedule, the board, the time bank); and an
index finding the seats whose times are held for a coordinator (the desk home read every
seat of the year on each view).

Revision ID: 9a4c2e7b1d35
Revises: 3e8b5c1d7f20
Create Date: 2026-12-06 19:10:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "9a4c2e7b1d35"
down_revision = "3e8b5c1d7f20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_assignment_volunteer_id_shift_id", "assignment", ["volunteer_id", "shift_id"]
    )
    op.drop_index("ix_assignment_volunteer_id", table_name="assignment")
    op.create_index(
        "ix_assignment_times_held_shift_id", "assignment", ["times_held", "shift_id"]
    )


def downgrade():
    op.drop_index("ix_assignment_times_held_shift_id", table_name="assignment")
    op.create_index("ix_assignment_volunteer_id", "assignment", ["volunteer_id"])
    op.drop_index("ix_assignment_volunteer_id_shift_id", table_name="assignment")

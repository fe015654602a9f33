"""contact_log: the open follow-ups by organisation and time due (a partial index WHERE
follow_up_done_at IS NULL), replacing the index on follow_up_at alone, which read every
follow-up ever set, done or not, of every organisation, for the desk home's count of
people to phone and the phone list.

Revision ID: 6d2b8e4f1c39
Revises: 7d3f1b9c2e54
Create Date: 2026-12-07 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6d2b8e4f1c39"
down_revision = "7d3f1b9c2e54"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_contact_log_open_follow_up",
        "contact_log",
        ["organisation_id", "follow_up_at"],
        postgresql_where=sa.text("follow_up_done_at IS NULL"),
        sqlite_where=sa.text("follow_up_done_at IS NULL"),
    )
    op.drop_index("ix_contact_log_follow_up_at", table_name="contact_log")


def downgrade():
    op.create_index("ix_contact_log_follow_up_at", "contact_log", ["follow_up_at"])
    op.drop_index("ix_contact_log_open_follow_up", table_name="contact_log")

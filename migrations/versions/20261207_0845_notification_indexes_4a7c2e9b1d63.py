"""notification: partial indexes of the unread messages by person and by login, so the
bell's count (on every signed-in page, in the login's own statement) reads the unread
entries instead of a year of each person's messages; and the organisation's index made
(organisation, status, channel), so the residents to phone and the outbox's problems read
that organisation's messages in that state, not every organisation's pending ones.

Revision ID: 4a7c2e9b1d63
Revises: 4c7a2e9d1b58
Create Date: 2026-12-07 08:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4a7c2e9b1d63"
down_revision = "4c7a2e9d1b58"
branch_labels = None
depends_on = None


def upgrade():
    for name, column in (
        ("ix_notification_unread_person", "person_id"),
        ("ix_notification_unread_user", "user_id"),
    ):
        op.create_index(
            name,
            "notification",
            [column, "read_at"],  # see the model: SQLite's choice without statistics
            postgresql_where=sa.text("read_at IS NULL"),
            sqlite_where=sa.text("read_at IS NULL"),
        )


    op.create_index(
        "ix_notification_org_status_channel",
        "notification",
        ["organisation_id", "status", "channel"],
    )
    op.drop_index("ix_notification_organisation_id", table_name="notification")


def downgrade():
    op.create_index("ix_notification_organisation_id", "notification", ["organisation_id"])
    op.drop_index("ix_notification_org_status_channel", table_name="notification")
    op.drop_index("ix_notification_unread_user", table_name="notification")
    op.drop_index("ix_notification_unread_person", table_name="notification")

"""notification: the partial indexes of a reader's unread messages hold only what the bell
counts (not the guardian's copies, the calls a coordinator makes or the cancelled), with
the kind as a column (and the person's with user_id): on PostgreSQL the bell's count and a page's news (the schedule's
messages about shifts) are read from the index alone, not from each unread message's row.
SQLite keeps the plain predicate (it proves a partial index's terms one by one, as the
query writes them).

Revision ID: 7d3f1b9c2e54
Revises: 4a7c2e9b1d63
Create Date: 2026-12-07 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7d3f1b9c2e54"
down_revision = "4a7c2e9b1d63"
branch_labels = None
depends_on = None

# Written out, not imported from the model: a migration keeps the schema of its day.
ADDRESSED = (
    "read_at IS NULL AND NOT is_guardian_copy AND channel <> 'phone' AND status <> 'cancelled'"
)


def _replace(columns: dict[str, list[str]], postgresql_where: str) -> None:
    for who in ("person", "user"):
        name = f"ix_notification_unread_{who}"
        op.drop_index(name, table_name="notification")
        op.create_index(
            name,
            "notification",
            columns[who],
            postgresql_where=sa.text(postgresql_where),
            sqlite_where=sa.text("read_at IS NULL"),
        )


def upgrade():
    # The person's carries user_id: the bell counts its person's messages that are not
    # the login's own (those are counted from the user's index).
    columns = {
        "person": ["person_id", "read_at", "kind", "user_id"],
        "user": ["user_id", "read_at", "kind"],
    }
    _replace(columns, ADDRESSED)


def downgrade():
    _replace({who: [f"{who}_id", "read_at"] for who in ("person", "user")}, "read_at IS NULL")

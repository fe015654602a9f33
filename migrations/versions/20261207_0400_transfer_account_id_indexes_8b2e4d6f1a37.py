"""timebank_transfer: the indexes on each side's account become (account, id), so that
a statement's page (the newest transfers of an account) and the balance after it read
as many index entries as the page has lines, instead of every transfer of the account
sorted at each view. They serve the lookups by account the old ones did.

Revision ID: 8b2e4d6f1a37
Revises: 2d6f8a1c9e43
Create Date: 2026-12-07 04:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "8b2e4d6f1a37"
down_revision = "2d6f8a1c9e43"
branch_labels = None
depends_on = None

SIDES = ("debit", "credit")


def upgrade():
    for side in SIDES:
        op.create_index(
            f"ix_timebank_transfer_{side}_account_id_id",
            "timebank_transfer",
            [f"{side}_account_id", "id"],
        )
        op.drop_index(f"ix_timebank_transfer_{side}_account_id", table_name="timebank_transfer")


def downgrade():
    for side in SIDES:
        op.create_index(
            f"ix_timebank_transfer_{side}_account_id", "timebank_transfer", [f"{side}_account_id"]
        )
        op.drop_index(f"ix_timebank_transfer_{side}_account_id_id", table_name="timebank_transfer")

"""timebank_account: the minutes of visits and rides each account was paid for
(service_given) and paid (service_received), net of reversals, kept with the balance by
every transfer. The coordinator's "service given in total" summed the whole ledger's
history at every view (46 ms of two cores on a city's year); a member's "in total"
figures summed theirs. Filled here from the transfers.

Revision ID: 2d6f8a1c9e43
Revises: 7e3b9c1d5a40
Create Date: 2026-12-07 03:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "2d6f8a1c9e43"
down_revision = "7e3b9c1d5a40"
branch_labels = None
depends_on = None

# The visits and rides not reversed, paid to (credit) or by (debit) the account.
_SERVED = """
    SELECT COALESCE(SUM(t.amount), 0) FROM timebank_transfer t
    WHERE t.{side}_account_id = timebank_account.id AND t.kind IN ('visit', 'ride')
      AND NOT EXISTS (SELECT 1 FROM timebank_transfer r WHERE r.reversal_of_id = t.id)
"""


# Plain ADD / DROP COLUMN (SQLite has both natively): batch mode would copy and drop the
# account table, which the ledger's triggers name (as in 20261206_1040).


def upgrade():
    for name in ("service_given", "service_received"):
        op.add_column(
            "timebank_account",
            sa.Column(name, sa.Integer(), nullable=False, server_default="0"),
        )
    op.execute(
        f"UPDATE timebank_account SET service_given = ({_SERVED.format(side='credit')}), "
        f"service_received = ({_SERVED.format(side='debit')})"
    )


def downgrade():
    op.drop_column("timebank_account", "service_received")
    op.drop_column("timebank_account", "service_given")

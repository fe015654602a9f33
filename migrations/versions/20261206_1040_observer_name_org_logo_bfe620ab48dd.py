"""observer_name_org_logo: a login's display name (observers have no person record, so
the observers page names them by it) and the organisation's logo (PNG or JPEG, checked
by decoding it, at most 512 KB) for the observatory's PDF report.

Revision ID: bfe620ab48dd
Revises: 5abb123ace07
Create Date: 2026-12-06 10:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "bfe620ab48dd"
down_revision = "5abb123ace07"
branch_labels = None
depends_on = None


# Plain ADD / DROP COLUMN (SQLite has both natively): batch mode would copy and drop the
# organisation table, which the ledger's triggers name (as in 20261206_0904).


def upgrade():
    op.add_column("user_account", sa.Column("display_name", sa.String(length=200), nullable=True))
    op.add_column("organisation", sa.Column("logo", sa.LargeBinary(), nullable=True))
    op.add_column("organisation", sa.Column("logo_type", sa.String(length=20), nullable=True))


def downgrade():
    op.drop_column("organisation", "logo_type")
    op.drop_column("organisation", "logo")
    op.drop_column("user_account", "display_name")

"""observer_name_org_logo: a login's display name (observers have no person record, so
the observers page names them by it) and the organisation's logo (PNG or JPEG, checked
by decoding it, at most 512 KB) for the observatory's PDF report.

Revision ID: bfe620ab48dd
Revises: b068725ba519
Create Date: 2026-12-06 10:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "bfe620ab48dd"
down_revision = "b068725ba519"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=200), nullable=True))
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("logo", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("logo_type", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("logo_type")
        batch_op.drop_column("logo")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("display_name")

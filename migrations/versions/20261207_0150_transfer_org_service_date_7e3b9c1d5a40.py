"""timebank_transfer: an index on (organisation, service date) in place of the one on the
organisation alone, so the coordinator's figures of this month (transfers, hours given,
who gave and received most) read this month's transfers instead of the whole ledger's
history. It serves the lookups by organisation the old one did.

Revision ID: 7e3b9c1d5a40
Revises: c41f7a9e2d58
Create Date: 2026-12-07 01:50:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "7e3b9c1d5a40"
down_revision = "c41f7a9e2d58"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_timebank_transfer_organisation_id_service_date",
        "timebank_transfer",
        ["organisation_id", "service_date"],
    )
    op.drop_index("ix_timebank_transfer_organisation_id", table_name="timebank_transfer")


def downgrade():
    op.create_index(
        "ix_timebank_transfer_organisation_id", "timebank_transfer", ["organisation_id"]
    )
    op.drop_index(
        "ix_timebank_transfer_organisation_id_service_date", table_name="timebank_transfer"
    )

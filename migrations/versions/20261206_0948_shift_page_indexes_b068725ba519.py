"""shift_page_indexes: the board's candidates (organisation, status, start) and the day
and week pages' neighbourhood list (organisation, neighbourhood) read an index, not the
year of past shifts (docs/benchmarks.md, "pages at city scale").

Revision ID: b068725ba519
Revises: 805cbd2286d4
Create Date: 2026-12-06 10:18:49.692597

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b068725ba519"
down_revision = '805cbd2286d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shift_org_status_starts", ["organisation_id", "status", "starts_at"], unique=False
        )
        batch_op.create_index(
            "ix_shift_org_neighbourhood", ["organisation_id", "neighbourhood"], unique=False
        )


def downgrade():
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index("ix_shift_org_neighbourhood")
        batch_op.drop_index("ix_shift_org_status_starts")

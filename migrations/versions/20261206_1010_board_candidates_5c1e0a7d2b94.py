"""board_candidates: the (volunteer, shift) pairs that pass every check on the two of
them alone, so the open-shift board reads them by index (docs/shifts.md, "The board's
candidates"). The table starts empty: run ``flask shifts rebuild-candidates`` once after
this upgrade (``make migrate`` does; the nightly ``rebuild_candidates`` job would too).

Revision ID: 5c1e0a7d2b94
Revises: 4c1f0e9a2b7d
Create Date: 2026-12-06 10:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5c1e0a7d2b94"
down_revision = "4c1f0e9a2b7d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "board_candidate",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"],
            name=op.f("fk_board_candidate_person_id_person"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"],
            name=op.f("fk_board_candidate_shift_id_shift"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "shift_id", name=op.f("pk_board_candidate")),
    )
    with op.batch_alter_table("board_candidate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_board_candidate_shift_id"), ["shift_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("board_candidate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_candidate_shift_id"))
    op.drop_table("board_candidate")

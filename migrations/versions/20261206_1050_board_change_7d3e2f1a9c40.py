"""board_change: the volunteer's board kept rendered (shifts/board_cache.py) is valid
while nothing on it changed; every change to a shift, a seat or a request writes a row
for each volunteer whose board shows it (shifts/board_changes.py). No foreign key to
person, on purpose (see the model: its share lock would deadlock concurrent claims).

Revision ID: 7d3e2f1a9c40
Revises: bfe620ab48dd
Create Date: 2026-12-06 10:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7d3e2f1a9c40"
down_revision = "bfe620ab48dd"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "board_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_change")),
        sqlite_autoincrement=True,  # ids never reused: a volunteer's stamp never repeats
    )
    op.create_index("ix_board_change_person_id", "board_change", ["person_id", "id"])


def downgrade():
    op.drop_index("ix_board_change_person_id", table_name="board_change")
    op.drop_table("board_change")

"""guard rails: check-in time tolerance per organisation, logged times held for a
coordinator

Revision ID: deaf5b215c96
Revises: f37e34331169
Create Date: 2026-12-06 09:44:41.509592

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'deaf5b215c96'
down_revision = 'f37e34331169'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation_settings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('checkin_tolerance_min', sa.Integer(), server_default='60', nullable=False)
        )
        batch_op.add_column(
            sa.Column('checkin_max_factor', sa.Float(), server_default='2', nullable=False)
        )
        batch_op.create_check_constraint(
            'checkin_tolerance', 'checkin_tolerance_min >= 0 AND checkin_tolerance_min <= 720'
        )
        batch_op.create_check_constraint(
            'checkin_factor', 'checkin_max_factor >= 1 AND checkin_max_factor <= 10'
        )

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('times_held', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('times_held')

    with op.batch_alter_table('organisation_settings', schema=None) as batch_op:
        batch_op.drop_constraint('checkin_factor', type_='check')
        batch_op.drop_constraint('checkin_tolerance', type_='check')
        batch_op.drop_column('checkin_max_factor')
        batch_op.drop_column('checkin_tolerance_min')

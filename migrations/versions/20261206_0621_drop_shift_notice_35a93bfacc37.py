"""one notice system: volunteers hear about their shifts through the outbox only

Revision ID: 35a93bfacc37
Revises: 5b1e0c7d2a41
Create Date: 2026-12-06 06:21:32.150723

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '35a93bfacc37'
down_revision = '5b1e0c7d2a41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shift_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_notice_person_id'))

    op.drop_table('shift_notice')


def downgrade():
    op.create_table('shift_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_shift_notice_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_shift_notice_shift_id_shift'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_notice'))
    )
    with op.batch_alter_table('shift_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_notice_person_id'), ['person_id'], unique=False)


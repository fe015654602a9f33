"""request priority (normal, high, urgent), the request a change replaced, and the
series date of a moved occurrence

Revision ID: 7b195e006080
Revises: 125fe31e2224
Create Date: 2026-12-06 07:26:33.087429

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b195e006080'
down_revision = '125fe31e2224'
branch_labels = None
depends_on = None


def upgrade():
    # Every existing request is "normal" (1): the solver sees what it saw before.
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_check_constraint('priority_range', 'priority >= 1 AND priority <= 3')
        batch_op.add_column(sa.Column('replaces_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_help_request_replaces_id'), ['replaces_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_help_request_replaces_id_help_request'), 'help_request',
            ['replaces_id'], ['id'], ondelete='SET NULL',
        )

    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moved_from', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_column('moved_from')

    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_help_request_replaces_id_help_request'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_help_request_replaces_id'))
        batch_op.drop_column('replaces_id')
        batch_op.drop_constraint('priority_range', type_='check')
        batch_op.drop_column('priority')

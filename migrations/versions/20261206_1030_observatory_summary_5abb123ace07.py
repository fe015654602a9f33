"""observatory_summary: the observatory's monthly summary (per-month counts, per-person
masks of months, first services, one refresh row per organisation) and two shift
indexes for the live part of a page (organisation and day; request, status and day).

Revision ID: 5abb123ace07
Revises: 5c1e0a7d2b94
Create Date: 2026-12-06 13:16:20.124349

"""
from alembic import op
import sqlalchemy as sa

import webapp.db


# revision identifiers, used by Alembic.
revision = '5abb123ace07'
down_revision = "5c1e0a7d2b94"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('observatory_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('fact', sa.String(length=20), nullable=False),
    sa.Column('service', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('hood', sa.String(length=120), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Float(), nullable=False),
    sa.Column('known', sa.Integer(), nullable=False),
    sa.Column('known_same', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_observatory_count_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observatory_count'))
    )
    with op.batch_alter_table('observatory_count', schema=None) as batch_op:
        batch_op.create_index('ix_observatory_count_org_month', ['organisation_id', 'month'], unique=False)

    op.create_table('observatory_first',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=20), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_observatory_first_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observatory_first'))
    )
    with op.batch_alter_table('observatory_first', schema=None) as batch_op:
        batch_op.create_index('ix_observatory_first_lookup', ['organisation_id', 'kind', 'resident_id', 'volunteer_id'], unique=False)

    op.create_table('observatory_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('span', sa.Integer(), nullable=False),
    sa.Column('fact', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('hood', sa.String(length=120), nullable=False),
    sa.Column('months', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_observatory_people_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observatory_people'))
    )
    with op.batch_alter_table('observatory_people', schema=None) as batch_op:
        batch_op.create_index('ix_observatory_people_org_span', ['organisation_id', 'span', 'fact'], unique=False)

    op.create_table('observatory_refresh',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('through', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_observatory_refresh_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_observatory_refresh'))
    )
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index('ix_shift_org_day', ['organisation_id', 'occurrence_date'], unique=False)
        batch_op.create_index('ix_shift_request_status_day', ['request_id', 'status', 'occurrence_date'], unique=False)



def downgrade():
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_index('ix_shift_request_status_day')
        batch_op.drop_index('ix_shift_org_day')

    op.drop_table('observatory_refresh')
    with op.batch_alter_table('observatory_people', schema=None) as batch_op:
        batch_op.drop_index('ix_observatory_people_org_span')

    op.drop_table('observatory_people')
    with op.batch_alter_table('observatory_first', schema=None) as batch_op:
        batch_op.drop_index('ix_observatory_first_lookup')

    op.drop_table('observatory_first')
    with op.batch_alter_table('observatory_count', schema=None) as batch_op:
        batch_op.drop_index('ix_observatory_count_org_month')

    op.drop_table('observatory_count')

"""trust data: the audit log (append-only, guarded by triggers); consent for volunteers
and its withdrawal; erased people; retention policy per organisation

Revision ID: f37e34331169
Revises: 79e43b94681b
Create Date: 2026-12-06 09:44:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.db
from webapp.audit.ddl import drop_audit_guards, install_audit_guards


# revision identifiers, used by Alembic.
revision = 'f37e34331169'
down_revision = '79e43b94681b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('at', webapp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.String(length=80), nullable=True),
    sa.Column('changes', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('redacted_at', webapp.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_audit_event_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_org_at', ['organisation_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_person_id'), ['person_id'], unique=False)
    # Entries are append-only: the database itself refuses UPDATE (but an erasure's
    # blanking of values) and DELETE (but with the whole organisation).
    install_audit_guards(op.get_bind())
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', webapp.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('volunteer_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_given_at', webapp.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('consent_method', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('consent_withdrawn_at', webapp.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('resident_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_withdrawn_at', webapp.db.UTCDateTime(timezone=True), nullable=True))
    # Retention: a new organisation starts with residents inactive for 24 months erased and
    # messages gone after a year. An organisation already here keeps its messages' year but
    # no automatic erasure of residents starts on an upgrade: erasure cannot be undone, so a
    # coordinator turns it on knowingly (Settings > Privacy and retention).
    with op.batch_alter_table('organisation_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inactive_resident_months', sa.Integer(), server_default='24', nullable=True))
        batch_op.add_column(sa.Column('message_days', sa.Integer(), server_default='365', nullable=True))
        batch_op.create_check_constraint('inactive_resident_months_range', 'inactive_resident_months IS NULL OR inactive_resident_months BETWEEN 6 AND 120')
        batch_op.create_check_constraint('message_days_range', 'message_days IS NULL OR message_days BETWEEN 30 AND 3650')
    op.execute("UPDATE organisation_settings SET inactive_resident_months = NULL")


def downgrade():
    with op.batch_alter_table('organisation_settings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organisation_settings_message_days_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_organisation_settings_inactive_resident_months_range'), type_='check')
        batch_op.drop_column('message_days')
        batch_op.drop_column('inactive_resident_months')
    with op.batch_alter_table('resident_profile', schema=None) as batch_op:
        batch_op.drop_column('consent_withdrawn_at')
    with op.batch_alter_table('volunteer_profile', schema=None) as batch_op:
        batch_op.drop_column('consent_withdrawn_at')
        batch_op.drop_column('consent_method')
        batch_op.drop_column('consent_given_at')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
    drop_audit_guards(op.get_bind())
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_person_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_user_id'))
        batch_op.drop_index('ix_audit_event_org_at')
    op.drop_table('audit_event')

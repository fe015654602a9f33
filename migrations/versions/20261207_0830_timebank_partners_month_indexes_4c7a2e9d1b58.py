"""timebank_partner: who exchanged time with whom (a transfer between two members, or a
completed visit or ride), kept both ways as it happens, so that a member's "give to"
list reads their own rows instead of finding them again in their whole history of
transfers and shifts at every view (5 ms of PostgreSQL for a city volunteer's year).
Filled here from that history. And timebank_transfer gets (account, service date)
indexes on each side: a member's figures of this month read the month's transfers of
the account, not all of them. And the coordinator's "near their limit" reads the members
closest to it from an index on (organisation, balance - limit), not every account
(PostgreSQL only).

Revision ID: 4c7a2e9d1b58
Revises: 8b2e4d6f1a37
Create Date: 2026-12-07 08:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4c7a2e9d1b58"
down_revision = "8b2e4d6f1a37"
branch_labels = None
depends_on = None

SIDES = ("debit", "credit")

# The pairs from the ledger and the completed shifts (webapp/timebank/partners.py
# FROM_HISTORY, as it was when this was written).
_FILL = """
INSERT INTO timebank_partner (person_id, partner_id)
WITH pairs (a, b) AS (
    SELECT d.person_id, c.person_id FROM timebank_transfer t
    JOIN timebank_account d ON d.id = t.debit_account_id
    JOIN timebank_account c ON c.id = t.credit_account_id
    WHERE d.person_id IS NOT NULL AND c.person_id IS NOT NULL
    UNION
    SELECT r.resident_id, a.volunteer_id FROM assignment a
    JOIN shift s ON s.id = a.shift_id
    JOIN help_request r ON r.id = s.request_id
    WHERE s.status = 'completed' AND r.resident_id IS NOT NULL
)
SELECT a, b FROM pairs WHERE a != b
UNION
SELECT b, a FROM pairs WHERE a != b
"""


def upgrade():
    op.create_table(
        "timebank_partner",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "person_id != partner_id", name=op.f("ck_timebank_partner_two_people")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["person.id"],
            name=op.f("fk_timebank_partner_partner_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_timebank_partner_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "partner_id", name=op.f("pk_timebank_partner")),
    )
    op.create_index(
        op.f("ix_timebank_partner_partner_id"), "timebank_partner", ["partner_id"], unique=False
    )
    op.execute(_FILL)
    for side in SIDES:
        op.create_index(
            f"ix_timebank_transfer_{side}_account_id_service_date",
            "timebank_transfer",
            [f"{side}_account_id", "service_date"],
        )
    if op.get_bind().dialect.name == "postgresql":  # (SQLite reads the table: a town's)
        op.create_index(
            "ix_timebank_account_headroom",
            "timebank_account",
            ["organisation_id", sa.text("(balance - lower_limit)"), "id"],
            postgresql_where=sa.text("kind = 'member' AND lower_limit IS NOT NULL"),
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_timebank_account_headroom", table_name="timebank_account")
    for side in SIDES:
        op.drop_index(
            f"ix_timebank_transfer_{side}_account_id_service_date", table_name="timebank_transfer"
        )
    op.drop_index(op.f("ix_timebank_partner_partner_id"), table_name="timebank_partner")
    op.drop_table("timebank_partner")

"""timebank_figures and timebank_month_figures: the organisation's figures on the
coordinator's page (members' accounts, service given in total, what members hold and
owe; per month of service, the transfers and their service minutes not reversed), kept
by triggers on the accounts and the ledger (webapp/timebank/ddl.py: deferred to the
commit on PostgreSQL). The page summed the organisation's 10,000 accounts and the
month's transfers at each view. Filled here from the accounts and the ledger.

Revision ID: 5e1b7c3a9d24
Revises: 4a7c2e9b1d63
Create Date: 2026-12-07 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e1b7c3a9d24"
down_revision = "4a7c2e9b1d63"
branch_labels = None
depends_on = None

_FILL_FIGURES = """
INSERT INTO timebank_figures
    (organisation_id, accounts, service_total, members_positive, members_negative)
SELECT organisation_id,
    SUM(CASE WHEN kind = 'member' THEN 1 ELSE 0 END),
    SUM(service_given),
    SUM(CASE WHEN kind = 'member' AND balance > 0 THEN balance ELSE 0 END),
    SUM(CASE WHEN kind = 'member' AND balance < 0 THEN balance ELSE 0 END)
FROM timebank_account GROUP BY organisation_id
"""

_FILL_MONTHS = """
INSERT INTO timebank_month_figures (organisation_id, month, transfers, service)
SELECT t.organisation_id, {month}, COUNT(*),
    SUM(CASE WHEN t.kind IN ('visit', 'ride') AND NOT EXISTS (
        SELECT 1 FROM timebank_transfer r WHERE r.reversal_of_id = t.id) THEN t.amount ELSE 0 END)
FROM timebank_transfer t GROUP BY t.organisation_id, {month}
"""

_MONTH = {
    "postgresql": "CAST(date_trunc('month', t.service_date) AS date)",
    "sqlite": "date(t.service_date, 'start of month')",
}


def _counter(name):
    return sa.Column(name, sa.Integer(), server_default="0", nullable=False)


def upgrade():
    from webapp.timebank.ddl import install_figures

    op.create_table(
        "timebank_figures",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        *(_counter(n) for n in ("accounts", "service_total", "members_positive",
                                "members_negative")),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_timebank_figures_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_timebank_figures")),
    )
    op.create_table(
        "timebank_month_figures",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        _counter("transfers"),
        _counter("service"),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_timebank_month_figures_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "month", name=op.f("pk_timebank_month_figures")
        ),
    )
    bind = op.get_bind()
    op.execute(_FILL_FIGURES)
    op.execute(_FILL_MONTHS.format(month=_MONTH[bind.dialect.name]))
    install_figures(bind)


def downgrade():
    from webapp.timebank.ddl import drop_figures

    drop_figures(op.get_bind())
    op.drop_table("timebank_month_figures")
    op.drop_table("timebank_figures")

"""timebank_figures, timebank_month_figures and timebank_account_month: the
organisation's figures on the coordinator's page (members' accounts, service given in
total, what members hold and owe; per month of service, the transfers and their service
minutes not reversed; per account and month, the service given and received, for the
month's biggest givers and receivers), kept by triggers on the accounts and the ledger
(webapp/timebank/ddl.py: deferred to the commit on PostgreSQL). The page summed the
organisation's 10,000 accounts and the month's transfers at each view. Filled here from
the accounts and the ledger. And timebank_names: a stamp per organisation moved by a
trigger on person whenever someone is renamed, moves or is deleted, under which a
member's statement and give-to list are kept drawn (webapp/timebank/kept.py).

Revision ID: 5e1b7c3a9d24
Revises: 6d2b8e4f1c39
Create Date: 2026-12-07 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e1b7c3a9d24"
down_revision = "6d2b8e4f1c39"
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

_SERVED = """
    SELECT t.{side}_account_id AS account_id, {month} AS month, t.organisation_id AS org,
        {given} AS given, {received} AS received
    FROM timebank_transfer t WHERE t.kind IN ('visit', 'ride') AND NOT EXISTS (
        SELECT 1 FROM timebank_transfer r WHERE r.reversal_of_id = t.id)
"""
_FILL_ACCOUNT_MONTHS = """
INSERT INTO timebank_account_month (account_id, month, organisation_id, given, received)
SELECT account_id, month, org, SUM(given), SUM(received) FROM ({credited} UNION ALL {debited}) s
GROUP BY account_id, month, org
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
        *(_counter(n) for n in ("accounts", "service_total", "members_positive")),
        _counter("members_negative"),
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
    op.create_table(
        "timebank_account_month",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        _counter("given"),
        _counter("received"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["timebank_account.id"],
            name=op.f("fk_timebank_account_month_account_id_timebank_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_timebank_account_month_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "month", name=op.f("pk_timebank_account_month")),
    )
    for side in ("given", "received"):
        op.create_index(
            f"ix_timebank_account_month_{side}",
            "timebank_account_month",
            ["organisation_id", "month", sa.text(f"{side} DESC"), "account_id"],
        )
    op.create_table(
        "timebank_names",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        _counter("version"),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_timebank_names_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_timebank_names")),
    )
    bind = op.get_bind()
    month = _MONTH[bind.dialect.name]
    op.execute(_FILL_FIGURES)
    op.execute(_FILL_MONTHS.format(month=month))
    op.execute(
        _FILL_ACCOUNT_MONTHS.format(
            credited=_SERVED.format(side="credit", month=month, given="t.amount", received="0"),
            debited=_SERVED.format(side="debit", month=month, given="0", received="t.amount"),
        )
    )
    install_figures(bind)


def downgrade():
    from webapp.timebank.ddl import drop_figures

    drop_figures(op.get_bind())
    op.drop_table("timebank_names")
    for side in ("given", "received"):
        op.drop_index(f"ix_timebank_account_month_{side}", table_name="timebank_account_month")
    op.drop_table("timebank_account_month")
    op.drop_table("timebank_month_figures")
    op.drop_table("timebank_figures")

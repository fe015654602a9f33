"""Database guards that make ``timebank_transfer`` append-only.

``install_ledger_guards(connection)`` is attached to the table's ``after_create`` event
(so ``db.create_all()`` installs it) and is called from the Alembic migration too.
PostgreSQL: a PL/pgSQL function raising on UPDATE, DELETE and TRUNCATE. SQLite:
BEFORE UPDATE / BEFORE DELETE triggers with ``RAISE(ABORT, ...)``.

The one exception: deleting an organisation (``ON DELETE CASCADE``) takes its ledger
with it, so a municipality that leaves a shared deployment (or the demo reset) can go.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from webapp.core.append_only import Guards

TABLE = "timebank_transfer"
MESSAGE = "timebank_transfer is append-only: record a reversal instead"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION timebank_transfer_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Only when its whole organisation is deleted (ON DELETE CASCADE: the organisation
    -- row is already gone) may a transfer go with it.
    IF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM organisation WHERE id = OLD.organisation_id) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = '{MESSAGE} (' || TG_OP || ' refused)',
        ERRCODE = 'restrict_violation';
END
$$
"""

_PG_TRIGGERS = [
    f"""CREATE TRIGGER timebank_transfer_no_change BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION timebank_transfer_immutable()""",
    f"""CREATE TRIGGER timebank_transfer_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION timebank_transfer_immutable()""",
]

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS timebank_transfer_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (UPDATE refused)'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS timebank_transfer_no_delete BEFORE DELETE ON {TABLE}
    WHEN EXISTS (SELECT 1 FROM organisation WHERE id = OLD.organisation_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (DELETE refused)'); END""",
]

GUARDS = Guards(TABLE, _PG_FUNCTION, _PG_TRIGGERS, _SQLITE_TRIGGERS, {
    "postgresql": ["timebank_transfer_no_change", "timebank_transfer_no_truncate"],
    "sqlite": ["timebank_transfer_no_update", "timebank_transfer_no_delete"],
})

install_ledger_guards = GUARDS.install
drop_ledger_guards = GUARDS.drop
ledger_guards_lifted = GUARDS.lifted


# The organisation's running figures (``timebank_figures``, ``timebank_month_figures``),
# kept by triggers on every write of an account or a transfer, whatever makes it (an
# operation, a migration, raw SQL). On PostgreSQL they are constraint triggers deferred
# to the commit: each adds its change to the organisation's row then, so the row is
# locked only while the transaction commits, by a writer that waits for nothing else
# after it (a row locked by the transfer itself would make every transfer of the
# organisation wait for the others' commits, and deadlock a shift's several payments
# against another transfer). An account's part of the figures: its contribution below,
# added for the new row and taken away for the old one. SQLite runs one writer at a time:
# plain triggers, run as the row changes.
FIGURES_TRIGGERS = [
    ("person", "timebank_names_update"),
    ("person", "timebank_names_delete"),
    ("timebank_account", "timebank_account_figures_insert"),
    ("timebank_account", "timebank_account_figures_update"),
    ("timebank_account", "timebank_account_figures_delete"),
    ("timebank_transfer", "timebank_transfer_figures"),
]

_PG_FIGURES_FUNCTIONS = [
    # A person renamed, moved or deleted: the names stamp of their organisation (both,
    # when they move) moves; the organisation gone, nothing.
    """
CREATE OR REPLACE FUNCTION timebank_names_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timebank_names AS n (organisation_id, version)
    SELECT o.id, 1 FROM organisation o
    WHERE o.id IN (OLD.organisation_id, CASE WHEN TG_OP = 'UPDATE' THEN NEW.organisation_id END)
    ORDER BY o.id
    ON CONFLICT (organisation_id) DO UPDATE SET version = n.version + 1;
    RETURN NULL;
END
$$
""",
    # Add to an organisation's figures (nothing once the organisation is gone: its
    # accounts are deleted with it).
    """
CREATE OR REPLACE FUNCTION timebank_figures_add(
    org integer, d_accounts integer, d_service integer, d_positive integer, d_negative integer
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF d_accounts = 0 AND d_service = 0 AND d_positive = 0 AND d_negative = 0 THEN
        RETURN;
    END IF;
    INSERT INTO timebank_figures AS f
        (organisation_id, accounts, service_total, members_positive, members_negative)
    SELECT org, d_accounts, d_service, d_positive, d_negative
    WHERE EXISTS (SELECT 1 FROM organisation WHERE id = org)
    ON CONFLICT (organisation_id) DO UPDATE SET
        accounts = f.accounts + EXCLUDED.accounts,
        service_total = f.service_total + EXCLUDED.service_total,
        members_positive = f.members_positive + EXCLUDED.members_positive,
        members_negative = f.members_negative + EXCLUDED.members_negative;
END
$$
""",
    """
CREATE OR REPLACE FUNCTION timebank_month_add(
    org integer, of_month date, d_transfers integer, d_service integer
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- The organisation's row first, as every writer does: committers take the rows in
    -- one order, so two never wait on each other (a deadlock).
    PERFORM 1 FROM timebank_figures WHERE organisation_id = org FOR UPDATE;
    INSERT INTO timebank_month_figures AS m (organisation_id, month, transfers, service)
    SELECT org, of_month, d_transfers, d_service
    WHERE EXISTS (SELECT 1 FROM organisation WHERE id = org)
    ON CONFLICT (organisation_id, month) DO UPDATE SET
        transfers = m.transfers + EXCLUDED.transfers,
        service = m.service + EXCLUDED.service;
END
$$
""",
    """
CREATE OR REPLACE FUNCTION timebank_account_figures() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.organisation_id = NEW.organisation_id THEN
        PERFORM timebank_figures_add(
            NEW.organisation_id,
            (NEW.kind = 'member')::int - (OLD.kind = 'member')::int,
            NEW.service_given - OLD.service_given,
            CASE WHEN NEW.kind = 'member' AND NEW.balance > 0 THEN NEW.balance ELSE 0 END
            - CASE WHEN OLD.kind = 'member' AND OLD.balance > 0 THEN OLD.balance ELSE 0 END,
            CASE WHEN NEW.kind = 'member' AND NEW.balance < 0 THEN NEW.balance ELSE 0 END
            - CASE WHEN OLD.kind = 'member' AND OLD.balance < 0 THEN OLD.balance ELSE 0 END);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM timebank_figures_add(
            OLD.organisation_id,
            -(OLD.kind = 'member')::int,
            -OLD.service_given,
            -CASE WHEN OLD.kind = 'member' AND OLD.balance > 0 THEN OLD.balance ELSE 0 END,
            -CASE WHEN OLD.kind = 'member' AND OLD.balance < 0 THEN OLD.balance ELSE 0 END);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM timebank_figures_add(
            NEW.organisation_id,
            (NEW.kind = 'member')::int,
            NEW.service_given,
            CASE WHEN NEW.kind = 'member' AND NEW.balance > 0 THEN NEW.balance ELSE 0 END,
            CASE WHEN NEW.kind = 'member' AND NEW.balance < 0 THEN NEW.balance ELSE 0 END);
    END IF;
    RETURN NULL;
END
$$
""",
    # An account's service minutes of a month (the biggest givers and receivers).
    """
CREATE OR REPLACE FUNCTION timebank_served_add(
    org integer, of_month date, account integer, d_given integer, d_received integer
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timebank_account_month AS a
        (account_id, month, organisation_id, given, received)
    SELECT account, of_month, org, d_given, d_received
    WHERE EXISTS (SELECT 1 FROM timebank_account WHERE id = account)
    ON CONFLICT (account_id, month) DO UPDATE SET
        given = a.given + EXCLUDED.given,
        received = a.received + EXCLUDED.received;
END
$$
""",
    # A transfer counts in its own month; a visit or ride adds its minutes to the month's
    # service and to what its payee gave and its payer received that month; a reversal of
    # one takes them out of the original's month (a reversed payment is no service).
    """
CREATE OR REPLACE FUNCTION timebank_transfer_figures() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    served boolean := NEW.kind IN ('visit', 'ride');
    of_month date := date_trunc('month', NEW.service_date)::date;
    o_org integer;
    o_month date;
    o_amount integer;
    o_debit integer;
    o_credit integer;
BEGIN
    PERFORM timebank_month_add(
        NEW.organisation_id, of_month, 1, CASE WHEN served THEN NEW.amount ELSE 0 END);
    IF served THEN
        PERFORM timebank_served_add(
            NEW.organisation_id, of_month, NEW.credit_account_id, NEW.amount, 0);
        PERFORM timebank_served_add(
            NEW.organisation_id, of_month, NEW.debit_account_id, 0, NEW.amount);
    END IF;
    IF NEW.reversal_of_id IS NOT NULL THEN
        SELECT organisation_id, date_trunc('month', service_date)::date, amount,
               debit_account_id, credit_account_id
        INTO o_org, o_month, o_amount, o_debit, o_credit
        FROM timebank_transfer WHERE id = NEW.reversal_of_id AND kind IN ('visit', 'ride');
        IF FOUND THEN
            PERFORM timebank_month_add(o_org, o_month, 0, -o_amount);
            PERFORM timebank_served_add(o_org, o_month, o_credit, -o_amount, 0);
            PERFORM timebank_served_add(o_org, o_month, o_debit, 0, -o_amount);
        END IF;
    END IF;
    RETURN NULL;
END
$$
""",
]

_DEFERRED = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
_PERSON_NAMES = """OLD.first_name IS DISTINCT FROM NEW.first_name
    OR OLD.last_name IS DISTINCT FROM NEW.last_name
    OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id"""
_PG_FIGURES_TRIGGERS = [
    f"""CREATE TRIGGER timebank_names_update AFTER UPDATE ON person FOR EACH ROW
    WHEN ({_PERSON_NAMES}) EXECUTE FUNCTION timebank_names_moved()""",
    """CREATE TRIGGER timebank_names_delete AFTER DELETE ON person FOR EACH ROW
    EXECUTE FUNCTION timebank_names_moved()""",
    f"""CREATE CONSTRAINT TRIGGER timebank_account_figures_insert AFTER INSERT
    ON timebank_account {_DEFERRED} EXECUTE FUNCTION timebank_account_figures()""",
    f"""CREATE CONSTRAINT TRIGGER timebank_account_figures_update AFTER UPDATE
    ON timebank_account {_DEFERRED}
    WHEN (OLD.balance IS DISTINCT FROM NEW.balance
          OR OLD.service_given IS DISTINCT FROM NEW.service_given
          OR OLD.kind IS DISTINCT FROM NEW.kind
          OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id)
    EXECUTE FUNCTION timebank_account_figures()""",
    f"""CREATE CONSTRAINT TRIGGER timebank_account_figures_delete AFTER DELETE
    ON timebank_account {_DEFERRED} EXECUTE FUNCTION timebank_account_figures()""",
    f"""CREATE CONSTRAINT TRIGGER timebank_transfer_figures AFTER INSERT
    ON timebank_transfer {_DEFERRED} EXECUTE FUNCTION timebank_transfer_figures()""",
]


def _sqlite_add(row: str, sign: str) -> str:
    """The statements adding (``sign`` "+") or taking away ("-") the ``row``'s (NEW or
    OLD) part of its organisation's figures."""
    member = f"{row}.kind = 'member'"
    return f"""
    INSERT OR IGNORE INTO timebank_figures (organisation_id) SELECT {row}.organisation_id
        WHERE EXISTS (SELECT 1 FROM organisation WHERE id = {row}.organisation_id);
    UPDATE timebank_figures SET
        accounts = accounts {sign} ({member}),
        service_total = service_total {sign} {row}.service_given,
        members_positive = members_positive {sign}
            (CASE WHEN {member} AND {row}.balance > 0 THEN {row}.balance ELSE 0 END),
        members_negative = members_negative {sign}
            (CASE WHEN {member} AND {row}.balance < 0 THEN {row}.balance ELSE 0 END)
    WHERE organisation_id = {row}.organisation_id;"""


_SQLITE_SERVICE = "(CASE WHEN NEW.kind IN ('visit', 'ride') THEN NEW.amount ELSE 0 END)"


def _sqlite_month(row: str, service: str) -> str:
    """The statements counting the transfer ``row`` in its month."""
    org, month = f"{row}.organisation_id", f"date({row}.service_date, 'start of month')"
    return f"""
    INSERT OR IGNORE INTO timebank_month_figures (organisation_id, month) SELECT {org}, {month}
        WHERE EXISTS (SELECT 1 FROM organisation WHERE id = {org});
    UPDATE timebank_month_figures SET transfers = transfers + 1, service = service + {service}
    WHERE organisation_id = {org} AND month = {month};"""


def _sqlite_served(side: str, column: str) -> str:
    """A visit or ride: its minutes to its ``side`` account's ``column`` of its month."""
    month, account = "date(NEW.service_date, 'start of month')", f"NEW.{side}_account_id"
    when = "NEW.kind IN ('visit', 'ride')"
    return f"""
    INSERT OR IGNORE INTO timebank_account_month (account_id, month, organisation_id)
        SELECT {account}, {month}, NEW.organisation_id
        WHERE {when} AND EXISTS (SELECT 1 FROM timebank_account WHERE id = {account});
    UPDATE timebank_account_month SET {column} = {column} + NEW.amount
    WHERE {when} AND account_id = {account} AND month = {month};"""


def _sqlite_served_back(side: str, column: str) -> str:
    """A reversal of a visit or ride: its original's minutes out of its ``side``
    account's ``column`` of the original's month."""
    return f"""
    UPDATE timebank_account_month SET {column} = {column} - (
        SELECT o.amount FROM timebank_transfer o WHERE o.id = NEW.reversal_of_id)
    WHERE NEW.reversal_of_id IS NOT NULL AND (account_id, month) = (
        SELECT o.{side}_account_id, date(o.service_date, 'start of month')
        FROM timebank_transfer o
        WHERE o.id = NEW.reversal_of_id AND o.kind IN ('visit', 'ride'));"""


def _sqlite_names(org: str) -> str:
    """The statements moving ``org``'s names stamp (twice for a rename in one: no
    matter, only a change counts)."""
    return f"""
    INSERT OR IGNORE INTO timebank_names (organisation_id) SELECT {org}
        WHERE EXISTS (SELECT 1 FROM organisation WHERE id = {org});
    UPDATE timebank_names SET version = version + 1 WHERE organisation_id = {org};"""


_SQLITE_FIGURES_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS timebank_names_update AFTER UPDATE ON person
    WHEN {_PERSON_NAMES}
    BEGIN {_sqlite_names("OLD.organisation_id")} {_sqlite_names("NEW.organisation_id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS timebank_names_delete AFTER DELETE ON person
    BEGIN {_sqlite_names("OLD.organisation_id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS timebank_account_figures_insert AFTER INSERT
    ON timebank_account BEGIN {_sqlite_add("NEW", "+")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS timebank_account_figures_update
    AFTER UPDATE OF balance, service_given, kind, organisation_id ON timebank_account
    BEGIN {_sqlite_add("OLD", "-")} {_sqlite_add("NEW", "+")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS timebank_account_figures_delete AFTER DELETE
    ON timebank_account BEGIN {_sqlite_add("OLD", "-")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS timebank_transfer_figures AFTER INSERT
    ON timebank_transfer BEGIN {_sqlite_month("NEW", _SQLITE_SERVICE)}
    {_sqlite_served("credit", "given")} {_sqlite_served("debit", "received")}
    UPDATE timebank_month_figures SET service = service - (
        SELECT o.amount FROM timebank_transfer o WHERE o.id = NEW.reversal_of_id)
    WHERE NEW.reversal_of_id IS NOT NULL AND (organisation_id, month) = (
        SELECT o.organisation_id, date(o.service_date, 'start of month')
        FROM timebank_transfer o
        WHERE o.id = NEW.reversal_of_id AND o.kind IN ('visit', 'ride'));
    {_sqlite_served_back("credit", "given")}
    {_sqlite_served_back("debit", "received")}
    END""",
]


def install_figures(connection: Connection) -> None:
    """Create (again) the triggers keeping the figures; the tables must exist."""
    dialect = connection.dialect.name
    drop_figures(connection)
    if dialect == "postgresql":
        for ddl in (*_PG_FIGURES_FUNCTIONS, *_PG_FIGURES_TRIGGERS):
            connection.exec_driver_sql(ddl)
    else:
        for ddl in _SQLITE_FIGURES_TRIGGERS:
            connection.exec_driver_sql(ddl)


def drop_figures(connection: Connection) -> None:
    dialect = connection.dialect.name
    for table, name in FIGURES_TRIGGERS:
        suffix = f" ON {table}" if dialect == "postgresql" else ""
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}{suffix}")

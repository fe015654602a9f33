"""Database guards that make ``timebank_transfer`` append-only.

``install_ledger_guards(connection)`` is attached to the table's ``after_create`` event
(so ``db.create_all()`` installs it) and is called from the Alembic migration too.
PostgreSQL: a PL/pgSQL function raising on UPDATE, DELETE and TRUNCATE. SQLite:
BEFORE UPDATE / BEFORE DELETE triggers with ``RAISE(ABORT, ...)``.

The one exception: deleting an organisation (``ON DELETE CASCADE``) takes its ledger
with it, so a municipality that leaves a shared deployment (or the demo reset) can go.
"""

from __future__ import annotations

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

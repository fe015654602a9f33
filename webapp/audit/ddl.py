"""Database guards that make ``audit_event`` append-only (as the ledger's transfers).

``install_audit_guards(connection)`` is attached to the table's ``after_create`` event
(so ``db.create_all()`` installs it) and is called from the migration too.

Refused: every DELETE (but when the whole organisation is deleted, ``ON DELETE
CASCADE``), TRUNCATE on PostgreSQL, and every UPDATE but one: the erasure of a person
(GDPR Art. 17) may blank the before/after values of their entries once, setting
``redacted_at``; who did what and when stays.
"""

from __future__ import annotations

from webapp.core.append_only import Guards

TABLE = "audit_event"
MESSAGE = "audit_event is append-only"

# The columns an allowed redaction must leave as they were.
_KEPT = ("id", "organisation_id", "at", "actor_user_id", "action", "person_id", "target")


def _same(dialect: str) -> str:
    op = "IS NOT DISTINCT FROM" if dialect == "postgresql" else "IS"
    return " AND ".join(f"NEW.{c} {op} OLD.{c}" for c in _KEPT)


def _redaction(dialect: str) -> str:
    return (
        "OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.changes IS NULL "
        f"AND {_same(dialect)}"
    )


_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_event_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.organisation_id IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM organisation WHERE id = OLD.organisation_id) THEN
            RETURN OLD;
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF {_redaction("postgresql")} THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = '{MESSAGE} (' || TG_OP || ' refused)',
        ERRCODE = 'restrict_violation';
END
$$
"""

_PG_TRIGGERS = [
    f"""CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_immutable()""",
    f"""CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_immutable()""",
]

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON {TABLE}
    WHEN NOT ({_redaction("sqlite")})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (UPDATE refused)'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON {TABLE}
    WHEN OLD.organisation_id IS NULL
        OR EXISTS (SELECT 1 FROM organisation WHERE id = OLD.organisation_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (DELETE refused)'); END""",
]

GUARDS = Guards(TABLE, _PG_FUNCTION, _PG_TRIGGERS, _SQLITE_TRIGGERS, {
    "postgresql": ["audit_event_no_change", "audit_event_no_truncate"],
    "sqlite": ["audit_event_no_update", "audit_event_no_delete"],
})

install_audit_guards = GUARDS.install
drop_audit_guards = GUARDS.drop
audit_guards_lifted = GUARDS.lifted

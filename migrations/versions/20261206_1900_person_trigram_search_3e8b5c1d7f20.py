"""person: trigram indexes for the people search (PostgreSQL only). The search looks for
each word inside names, addresses and neighbourhoods ("LIKE '%rossi%'"), and for a
number's digits inside phone numbers, which no btree index answers: a city's 10,000
people were read on every search (people/search.py). The expressions are
webapp.people.models.folded and phone_digits, as PostgreSQL stores them.

Revision ID: 3e8b5c1d7f20
Revises: 7d3e2f1a9c40
Create Date: 2026-12-06 19:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "3e8b5c1d7f20"
down_revision = "7d3e2f1a9c40"
branch_labels = None
depends_on = None

COLUMNS = ("first_name", "last_name", "address", "neighbourhood")


def _folded(column: str) -> str:
    expr = f"lower(coalesce({column}, ''))"
    for accented, plain in (("à", "a"), ("è", "e"), ("é", "e"), ("ì", "i"), ("ò", "o"),
                            ("ù", "u")):  # fmt: skip
        expr = f"replace({expr}, '{accented}', '{plain}')"
    return expr


def _digits(column: str) -> str:
    expr = f"coalesce({column}, '')"
    for sep in (" ", "-", ".", "/", "+", "(", ")"):
        expr = f"replace({expr}, '{sep}', '')"
    return expr


INDEXES = [(f"ix_person_{c}_trgm", "person", _folded(c)) for c in COLUMNS] + [
    ("ix_person_phone_trgm", "person", _digits("phone")),
    ("ix_resident_profile_guardian_phone_trgm", "resident_profile", _digits("guardian_phone")),
]


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expr in INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({expr} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _expr in INDEXES:
        op.execute(f"DROP INDEX {name}")
    # (pg_trgm stays: other databases' objects may use it, and it holds no data)

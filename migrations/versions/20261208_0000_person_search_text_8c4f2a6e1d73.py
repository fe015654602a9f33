"""person: one searched column, ``search_text``, with its trigram index.

The people search matched each word against four folded columns (names, address,
neighbourhood), each with a trigram index: for every row its indexes found, PostgreSQL
folded the columns again (six replace() calls each) to check it. On the city's data a
common surname's page took 0.89 ms of the database's CPU, 0.64 ms against one stored
column (people/search.py, ``benchmarks/city_pages.py``). The column holds the four folded
and joined by spaces (webapp.people.models.searched_text): stored on PostgreSQL and
indexed there; on SQLite computed when read, as the search did before.

The address's and the neighbourhood's own trigram indexes go (the search no longer reads
them); the names' stay, for the check of a person registered twice.

Revision ID: 8c4f2a6e1d73
Revises: 5e1b7c3a9d24
Create Date: 2026-12-08 00:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "8c4f2a6e1d73"
down_revision = "5e1b7c3a9d24"
branch_labels = None
depends_on = None

SEARCHED = ("first_name", "last_name", "address", "neighbourhood")
UNUSED = ("address", "neighbourhood")  # their own trigram indexes


def _folded(column: str) -> str:
    expr = f"lower(coalesce({column}, ''))"
    for accented, plain in (("à", "a"), ("è", "e"), ("é", "e"), ("ì", "i"), ("ò", "o"),
                            ("ù", "u")):  # fmt: skip
        expr = f"replace({expr}, '{accented}', '{plain}')"
    return expr


SEARCH_TEXT = " || ' ' || ".join(_folded(column) for column in SEARCHED)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        # SQLite adds a generated column only if it is computed when read.
        op.execute(
            f"ALTER TABLE person ADD COLUMN search_text TEXT NOT NULL "
            f"GENERATED ALWAYS AS ({SEARCH_TEXT}) VIRTUAL"
        )
        return
    op.execute(
        f"ALTER TABLE person ADD COLUMN search_text TEXT NOT NULL "
        f"GENERATED ALWAYS AS ({SEARCH_TEXT}) STORED"
    )
    op.execute("CREATE INDEX ix_person_search_trgm ON person USING gin (search_text gin_trgm_ops)")
    for column in UNUSED:
        op.execute(f"DROP INDEX ix_person_{column}_trgm")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for column in UNUSED:
            op.execute(
                f"CREATE INDEX ix_person_{column}_trgm ON person "
                f"USING gin ({_folded(column)} gin_trgm_ops)"
            )
        op.execute("DROP INDEX ix_person_search_trgm")
    op.execute("ALTER TABLE person DROP COLUMN search_text")

"""The desk's migration turns the check-ins left open into alerts (none is lost)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.test_migrations import empty_database_url  # noqa: F401  (the fixture)
from webapp import create_app
from webapp.config import TestConfig
from webapp.extensions import db

BEFORE_DESK = "35a93bfacc37"
DESK = "79e43b94681b"


def test_open_worries_and_unwell_moods_become_alerts(empty_database_url: str) -> None:  # noqa: F811
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config)
    with app.app_context():
        upgrade(revision=BEFORE_DESK)
        now = "2026-12-01 10:00:00"
        with db.engine.begin() as conn:
            run = conn.execute
            run(
                sa.text(
                    "INSERT INTO organisation (id, name, slug, timezone, created_at) "
                    "VALUES (1, 'O', 'o', 'Europe/Rome', :t)"
                ),
                {"t": now},
            )
            run(
                sa.text(
                    "INSERT INTO person (id, organisation_id, first_name, last_name, address,"
                    " languages, interests, is_volunteer, is_neighbour, is_resident,"
                    " created_at) VALUES (:id, 1, 'A', 'B', 'x', '[]', '[]', false, false,"
                    " true, :t)"
                ),
                [{"id": 1, "t": now}, {"id": 2, "t": now}],
            )
            run(
                sa.text(
                    "INSERT INTO help_request (id, organisation_id, resident_id, kind, status,"
                    " start_date, recurring, duration_minutes, languages, interests,"
                    " two_volunteers, return_wanted, passengers, wheelchair, escort,"
                    " created_at) VALUES (1, 1, 1, 'visit', 'active', '2026-12-01', false,"
                    " 60, '[]', '[]', false, false, 1, false, false, :t)"
                ),
                {"t": now},
            )
            for day in (1, 2, 3, 4):
                run(
                    sa.text(
                        "INSERT INTO shift (id, organisation_id, request_id, group_key,"
                        " occurrence_date, kind, status, starts_at, ends_at, seats,"
                        " start_address, end_address, updated_at) VALUES (:id, 1, 1, :g,"
                        " :d, 'visit', 'completed', :t, :e, 1, 'x', 'x', :t)"
                    ),
                    {
                        "id": day,
                        "g": f"1:{day}",
                        "d": f"2026-11-0{day}",
                        "t": now,
                        "e": "2026-12-01 11:00:00",
                    },
                )
            checkins = [  # (shift, mood, worried, handled)
                (1, "low", True, None),
                (2, "unwell", False, None),
                (3, "unwell", True, now),
                (4, "good", False, None),
            ]
            for shift, mood, worried, handled in checkins:
                run(
                    sa.text(
                        "INSERT INTO check_in (organisation_id, shift_id, volunteer_id, mood,"
                        " resident_happy, worried, note, created_at, handled_at) VALUES"
                        " (1, :s, 2, :m, false, :w, 'n', :t, :h)"
                    ),
                    {"s": shift, "m": mood, "w": worried, "t": now, "h": handled},
                )
        upgrade(revision=DESK)
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT c.shift_id, a.reason, a.person_id FROM desk_alert a"
                    " JOIN check_in c ON c.id = a.checkin_id ORDER BY c.shift_id"
                )
            ).all()
        assert [tuple(r) for r in rows] == [(1, "worried", 1), (2, "unwell", 1)]
        downgrade(revision="base")
        db.engine.dispose()

"""The bell's count is read in the login's own statement (auth/sessions.py), not in a
statement of its own on every page, and counted again when the request wrote."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import g

from tests.factories import PASSWORD, make_coordinator, make_org, make_volunteer
from tests.helpers import login
from webapp.auth.models import LoginSession, User
from webapp.auth.sessions import _load_user, _login_statement, login_figures
from webapp.extensions import db
from webapp.notifications.models import Channel, Notification, Status
from webapp.notifications.operations import enqueue
from webapp.notifications.queries import _to_phone, unread_count

CTX = {"items": [], "days": 30}


def _bell(html: str) -> str | None:
    marker = 'class="badge bell-count"'
    if marker not in html:
        return None
    return html.split(marker, 1)[1].split(">", 1)[1].split("<", 1)[0]


def _message(org_id: int, channel: Channel, **to: int) -> None:
    """A message written straight to the outbox (``enqueue`` picks its own channel)."""
    db.session.add(
        Notification(
            organisation_id=org_id, channel=channel, kind="credentials_lapsing", locale="en",
            subject="s", body="b", **to,
        )
    )  # fmt: skip


def _generic_plan(conn: sa.Connection, statement: sa.Executable) -> str:
    """The plan the app runs on PostgreSQL: psycopg prepares a statement, and PostgreSQL
    soon keeps one generic plan of it, which may use a partial index only if the
    statement's own text implies the index's predicate (no parameter stands in its
    terms). The statement goes as the driver sends it: $1, $2... with their values apart."""
    conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    sent = statement.compile(db.engine, compile_kwargs={"render_postcompile": True}).string
    values = statement.compile(db.engine).params
    names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", sent)))
    prepared = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m.group(1)) + 1}", sent)
    conn.exec_driver_sql(f"PREPARE plan_under_test AS {prepared}".replace("%%", "%"))
    literals = ", ".join(
        "NULL" if values[n] is None else f"'{getattr(values[n], 'value', values[n])}'"
        for n in names
    )
    plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN EXECUTE plan_under_test({literals})").scalars())
    conn.exec_driver_sql("DEALLOCATE plan_under_test")
    return plan


def test_the_bell_comes_with_the_login(client, db_session, count_queries):
    org = make_org()
    vol = make_volunteer(org, email="v@example.org")
    enqueue(vol, "credentials_lapsing", CTX)
    enqueue(vol, "credentials_lapsing", CTX)
    # Not counted: one read, one cancelled, one a coordinator phones through.
    [read] = enqueue(vol, "credentials_lapsing", CTX)
    read.read_at = read.created_at
    [cancelled] = enqueue(vol, "credentials_lapsing", CTX)
    cancelled.status = Status.CANCELLED
    _message(org.id, Channel.PHONE, person_id=vol.id)
    db.session.commit()
    login(client, vol.user.email, PASSWORD)
    with count_queries() as q:
        html = client.get("/notifications/preferences").get_data(as_text=True)
    assert _bell(html) == "2"
    own = [s for s in q if re.search(r"FROM notification\b", s) and "login_session" not in s]
    assert not own, own


def test_a_login_without_a_person_counts_its_own_messages(client, db_session):
    org = make_org()
    coordinator = make_coordinator(org)
    _message(org.id, Channel.IN_APP, user_id=coordinator.id)
    db.session.commit()
    login(client, coordinator.email, PASSWORD)
    assert _bell(client.get("/coordinator", follow_redirects=True).get_data(as_text=True)) == "1"


def test_a_message_to_both_the_login_and_its_person_counts_once(client, db_session):
    """The bell counts the login's own messages plus its person's that are not the
    login's (queries.unread_of_login): as many as the inbox lists, whichever way a
    message is addressed."""
    org = make_org()
    vol = make_volunteer(org, email="v@example.org")
    other = make_volunteer(org, email="o@example.org")
    db.session.flush()
    _message(org.id, Channel.IN_APP, person_id=vol.id, user_id=vol.user.id)  # both: once
    _message(org.id, Channel.IN_APP, person_id=vol.id, user_id=other.user.id)
    _message(org.id, Channel.IN_APP, user_id=vol.user.id)
    _message(org.id, Channel.IN_APP, person_id=vol.id)
    _message(org.id, Channel.IN_APP, person_id=other.id, user_id=other.user.id)  # not hers
    db.session.commit()
    login(client, vol.user.email, PASSWORD)
    assert _bell(client.get("/notifications/preferences").get_data(as_text=True)) == "4"
    assert unread_count(db.session.get(User, vol.user.id)) == 4


def test_a_figure_is_not_used_once_the_request_wrote(app, client, db_session):
    org = make_org()
    vol = make_volunteer(org, email="v@example.org")
    enqueue(vol, "credentials_lapsing", CTX)
    db.session.commit()
    login(client, vol.user.email, PASSWORD)
    session_id = db.session.query(LoginSession.id).filter_by(user_id=vol.user.id).scalar()
    with app.test_request_context("/"):
        user = _load_user(session_id)
        assert user is not None and login_figures("unread") == (1,)
        enqueue(vol, "credentials_lapsing", CTX)  # flushes: the figure is no longer true
        assert login_figures("unread") is None
        g.pop("login_figures")
        assert login_figures("unread") is None  # no login in this request: nothing kept


def test_each_login_counts_its_own_messages(app, client, db_session):
    """Several sessions open (two people, one of them on two devices): each bell counts
    its own person's messages, whichever session row the database reads first."""
    org = make_org()
    ada = make_volunteer(org, email="ada@example.org")
    bo = make_volunteer(org, email="bo@example.org")
    for _ in range(3):
        enqueue(ada, "credentials_lapsing", CTX)
    enqueue(bo, "credentials_lapsing", CTX)
    db.session.commit()
    ada_phone, bo_phone = app.test_client(), app.test_client()
    login(client, ada.user.email, PASSWORD)
    login(bo_phone, bo.user.email, PASSWORD)
    login(ada_phone, ada.user.email, PASSWORD)
    for who, expected in ((bo_phone, "1"), (client, "3"), (ada_phone, "3")):
        assert _bell(who.get("/notifications/preferences").get_data(as_text=True)) == expected


def test_the_bell_reads_the_unread_messages_from_their_indexes(db_session):
    """The bell's subquery finds a login's unread messages in the partial indexes of the
    unread (models.py), not among a year of each person's reminders and thanks."""
    org = make_org()
    vol = make_volunteer(org, email="v@example.org")
    for n in range(300):
        _message(org.id, Channel.EMAIL, person_id=vol.id)
        if n % 100:  # all but three were read
            db.session.flush()
            db.session.execute(
                sa.update(Notification).where(Notification.read_at.is_(None))
                .where(Notification.id == sa.select(sa.func.max(Notification.id)).scalar_subquery())
                .values(read_at=sa.func.now())
            )  # fmt: skip
    db.session.flush()
    conn = db.session.connection()
    statement = _login_statement()[1].params(session_id="s")
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "postgresql":
        # With the statistics autovacuum keeps (SQLite deployments keep none), and no
        # sequential scan of a table this small.
        conn.exec_driver_sql("ANALYZE notification")
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = _generic_plan(conn, statement)
    else:
        plan = "\n".join(str(r) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
    used = set(re.findall(r"(?:INDEX|Index Scan on|using) (ix_notification_\w+)", plan))
    assert used and used <= {"ix_notification_unread_person", "ix_notification_unread_user"}, plan
    assert not re.search(r"Seq Scan on notification|SCAN notification$", plan, re.M), plan


def test_the_residents_to_phone_are_read_from_their_organisations_index(db_session):
    """The day's list of calls reads the organisation's pending calls from the
    (organisation, status, channel) index, not every organisation's pending messages."""
    org = make_org()
    start = datetime(2026, 12, 7, tzinfo=UTC)
    statement = _to_phone(org.id, start, start + timedelta(days=1))
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    conn = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = _generic_plan(conn, statement)
    else:
        plan = "\n".join(str(r) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
    assert "ix_notification_org_status_channel" in plan, plan

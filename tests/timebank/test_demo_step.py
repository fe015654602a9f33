"""The demo town has a time bank that balances."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from webapp.demo.loader import load_demo
from webapp.extensions import db
from webapp.timebank.audit import audit
from webapp.timebank.models import Transfer


def test_demo_ledger_balances(db_session):  # type: ignore[no-untyped-def]
    result = load_demo(today=date(2026, 11, 22))
    assert "timebank" in result.steps
    kinds = set(db.session.scalars(sa.select(Transfer.kind).distinct()))
    assert {"adjustment", "donation", "grant"} <= {k.value for k in kinds}
    report = audit()
    assert report.ok and report.transfers > 30, report.report()

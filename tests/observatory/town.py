"""The fixture town: a small organisation whose every figure is worked out by hand in
test_indicators.py (and docs/observatory.md, "The fixture town").

Centro: residents R1-R6; Borgo: R7, R8. Volunteers V1-V5 joined in 2025, V6 on
10 February 2026. The period is January-March 2026, by month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.factories import make_org, make_resident, make_volunteer
from webapp.activities.models import Activity, ActivitySession, Application, Attendance
from webapp.desk.models import Alert, AlertReason
from webapp.extensions import db
from webapp.referrals.models import (
    Channel,
    Consent,
    LonelinessMeasure,
    Referral,
    ReferralStatus,
    SourceKind,
)
from webapp.requests.models import Request, RequestKind
from webapp.shifts.models import Assignment, NoShowSide, Shift, ShiftKind, ShiftStatus
from webapp.timebank.models import Account, AccountKind, Transfer, TransferKind

C = ShiftStatus.COMPLETED


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


# (day, kind, resident, status, volunteers); every visit 60 minutes, every ride leg 30.
SERVICES: list[tuple[str, str, str, ShiftStatus, list[str]]] = [
    ("2025-12-15", "visit", "R1", C, ["V1"]),
    ("2026-01-10", "visit", "R1", C, ["V1"]),
    ("2026-01-10", "visit", "R2", C, ["V1"]),
    ("2026-01-11", "visit", "R3", C, ["V2"]),
    ("2026-01-12", "visit", "R4", C, ["V3"]),
    ("2026-01-13", "visit", "R5", C, ["V4"]),
    ("2026-01-14", "visit", "R7", C, ["V5"]),
    ("2026-02-10", "visit", "R1", C, ["V1"]),
    ("2026-02-10", "visit", "R2", C, ["V2"]),
    ("2026-02-11", "visit", "R3", C, ["V2"]),
    ("2026-02-12", "visit", "R4", C, ["V3"]),
    ("2026-02-13", "visit", "R5", C, ["V4"]),
    ("2026-02-14", "visit", "R6", C, ["V6"]),
    ("2026-02-15", "ride", "R8", C, ["V5"]),
    ("2026-02-20", "visit", "R7", ShiftStatus.UNFILLED, []),
    ("2026-03-10", "visit", "R1", C, ["V1"]),
    ("2026-03-10", "visit", "R2", C, ["V1"]),
    ("2026-03-11", "visit", "R3", C, ["V2"]),
    ("2026-03-12", "visit", "R4", C, ["V3"]),
    ("2026-03-13", "visit", "R5", C, ["V4"]),
    ("2026-03-14", "visit", "R6", ShiftStatus.CANCELLED, []),
    ("2026-03-15", "visit", "R7", ShiftStatus.NO_SHOW, ["V5"]),
]
# (resident, kind, created)
REQUESTS = [
    ("R1", "visit", "2025-12-01"),
    ("R2", "visit", "2026-01-05"),
    ("R3", "visit", "2026-01-05"),
    ("R4", "visit", "2026-01-05"),
    ("R5", "visit", "2026-01-05"),
    ("R7", "visit", "2026-01-02"),
    ("R6", "visit", "2026-02-01"),
    ("R8", "ride", "2026-02-05"),
]

# Referrals (source, person or None, received, days to contact, assessed, days to help).
# Neighbours: R1-R5 on 5 January, contacted after 1-5 days (median 3), R1-R4 assessed,
# all five helped after 10, 10, 12, 14, 20 days (median 12). The pharmacy: R7 and R8
# on 10 February, contacted the next day, R7 helped after 5 days. A GP: someone not
# yet identified, on 1 March, not contacted yet.
REFERRALS: list[tuple[str, str | None, str, int | None, bool, int | None]] = [
    ("neighbour", "R1", "2026-01-05", 1, True, 10),
    ("neighbour", "R2", "2026-01-05", 2, True, 10),
    ("neighbour", "R3", "2026-01-05", 3, True, 12),
    ("neighbour", "R4", "2026-01-05", 4, True, 14),
    ("neighbour", "R5", "2026-01-05", 5, False, 20),
    ("pharmacy", "R7", "2026-02-10", 1, False, 5),
    ("pharmacy", "R8", "2026-02-10", 1, False, None),
    ("gp", None, "2026-03-01", None, False, None),
]
# UCLA-3 measures (person, day, score). R1-R5 first measured in December 2025 and again
# on 1 March; R7 in January and February; R8 once (not re-measured).
MEASURES: list[tuple[str, str, int]] = [
    *[(f"R{i}", "2025-12-01", s) for i, s in zip(range(1, 6), [9, 8, 7, 7, 6], strict=True)],
    *[(f"R{i}", "2026-03-01", s) for i, s in zip(range(1, 6), [6, 6, 5, 7, 3], strict=True)],
    ("R7", "2026-01-10", 8),
    ("R7", "2026-02-10", 7),
    ("R8", "2026-01-10", 5),
]

# Activity sessions (day, present, absent): January R1-R6 (R7 absent), February R1-R3,
# two in March R1-R5 each.
SESSIONS: list[tuple[str, list[str], list[str]]] = [
    ("2026-01-20", ["R1", "R2", "R3", "R4", "R5", "R6"], ["R7"]),
    ("2026-02-20", ["R1", "R2", "R3"], []),
    ("2026-03-05", ["R1", "R2", "R3", "R4", "R5"], []),
    ("2026-03-19", ["R1", "R2", "R3", "R4", "R5"], []),
]


# Residents at high risk (catalogue/risk.py), none of them in another figure: their one
# measure (never two), alerts and shifts fall outside January-March 2026.
# (key, neighbourhood, UCLA-3 measure (day, score, direct, factors) or None,
#  alert (raised, handled) or None, April shift status or None)
Measure = tuple[str, int, int | None, list[str]]  # day, score, direct, risk factors
AlertDays = tuple[str, str | None]  # raised, handled
AT_RISK: list[tuple[str, str, Measure | None, AlertDays | None, ShiftStatus | None]] = [
    # high: lonely often/always, nothing booked
    ("R9", "Colle", ("2026-01-20", 8, 1, []), None, None),
    # high: lonely (7) with two risk factors
    ("R10", "Colle", ("2026-01-21", 7, None, ["lives_alone", "bereaved"]), None, None),
    # high, but a visit is booked for April: served
    ("R11", "Colle", ("2026-02-02", 9, 1, []), None, ShiftStatus.CONFIRMED),
    # an alert raised in December and still open at the end of March: high
    ("R12", "Colle", None, ("2025-12-20", None), None),
    # low at the end of March (3); the high measure comes after the period: not at risk
    ("R13", "Colle", ("2026-01-05", 3, None, []), None, None),
    # high; its April visit was cancelled: no service
    ("R14", "Colle", ("2026-03-02", 6, 1, []), None, ShiftStatus.CANCELLED),
    # high: lonely (6) with three risk factors
    ("R15", "Colle", ("2026-03-03", 6, 3, ["lives_alone", "mobility", "bereaved"]), None, None),
    # an alert raised and closed in December: not at risk
    ("R16", "Colle", None, ("2025-12-01", "2025-12-02"), None),
    # Borgo: high, with a ride booked for April
    ("R17", "Borgo", ("2026-02-03", 9, 1, []), None, ShiftStatus.OPEN),
]
LATE_MEASURE = ("R13", "2026-04-10", 9, 1)  # after the period: ignored


@dataclass
class Town:
    org: Any
    people: dict[str, Any]


def build_town() -> Town:
    org = make_org("Comune di Prova")
    people: dict[str, Any] = {}
    for i in range(1, 9):
        hood = "Centro" if i <= 6 else "Borgo"
        people[f"R{i}"] = make_resident(org, first_name=f"Res{i}", neighbourhood=hood)
    for i in range(1, 7):
        v = make_volunteer(org, first_name=f"Vol{i}", driving=True, with_user=False)
        v.created_at = at("2026-02-10") if i == 6 else at("2025-06-01")
        people[f"V{i}"] = v
    requests = {}
    for who, kind, created in REQUESTS:
        req = Request(
            organisation_id=org.id,
            resident_id=people[who].id,
            kind=RequestKind(kind),
            start_date=date(2025, 12, 1),
            created_at=at(created, 8),
        )
        db.session.add(req)
        requests[who] = req
    db.session.flush()
    shifts = []
    for day, kind, who, status, vols in SERVICES:
        d = date.fromisoformat(day)
        legs = [ShiftKind.VISIT] if kind == "visit" else [ShiftKind.RIDE_OUT, ShiftKind.RIDE_BACK]
        for n, leg in enumerate(legs):
            start = at(day, 9 + 2 * n)
            length = 60 if kind == "visit" else 30
            shift = Shift(
                organisation_id=org.id,
                request_id=requests[who].id,
                group_key=f"{requests[who].id}:{day}",
                occurrence_date=d,
                kind=leg,
                status=status,
                starts_at=start,
                ends_at=start + timedelta(minutes=length),
                start_address="a",
                end_address="b",
                neighbourhood=people[who].neighbourhood,
                no_show_side=NoShowSide.VOLUNTEER if status == ShiftStatus.NO_SHOW else None,
            )
            db.session.add(shift)
            db.session.flush()
            for seat, v in enumerate(vols, start=1):
                db.session.add(Assignment(shift_id=shift.id, volunteer_id=people[v].id, seat=seat))
            shifts.append((shift, who, vols))
    # Alerts: one in January (closed in 4 h, on time); five in February, due in 4 h,
    # closed after 2, 4, 6 and 8 hours, the fifth still open.
    _alert(org, people["R7"], at("2026-01-14", 10), 4)
    for who, hours in zip(["R1", "R2", "R3", "R4", "R5"], [2, 4, 6, 8, None], strict=True):
        _alert(org, people[who], at("2026-02-10", 9), hours)
    # The time bank: January's six visits paid (one hour each), a donation of 2 hours
    # in February and a grant of half an hour in March.
    acct = {}
    for key, person in people.items():
        acct[key] = Account(organisation_id=org.id, person_id=person.id)
        db.session.add(acct[key])
    chest = Account(organisation_id=org.id, kind=AccountKind.CHEST)
    db.session.add(chest)
    db.session.flush()
    january = [(s, w, v) for s, w, v in shifts if s.occurrence_date.month == 1]
    for n, (shift, who, vols) in enumerate(january):
        _transfer(
            org,
            f"v{n}",
            acct[who],
            acct[vols[0]],
            60,
            TransferKind.VISIT,
            shift.occurrence_date,
            shift.id,
        )
    _transfer(org, "don", acct["V2"], chest, 120, TransferKind.DONATION, date(2026, 2, 3))
    _transfer(org, "grant", chest, acct["R6"], 30, TransferKind.GRANT, date(2026, 3, 3))
    _referrals_and_measures(org, people)
    _activity(org, people)
    _at_risk(org, people)
    db.session.flush()
    return Town(org, people)


def _at_risk(org: Any, people: dict[str, Any]) -> None:
    for key, hood, measure, alert, april in AT_RISK:
        person = people[key] = make_resident(org, first_name=f"Res{key[1:]}", neighbourhood=hood)
        if measure is not None:
            day, score, direct, factors = measure
            _measure(org, person, day, score, direct, factors)
        if alert is not None:
            raised, handled = alert
            hours = None if handled is None else 24
            _alert(org, person, at(raised, 9), hours)
        if april is not None:
            req = Request(
                organisation_id=org.id,
                resident_id=person.id,
                kind=RequestKind.VISIT,
                start_date=date(2026, 4, 1),
                created_at=at("2026-04-01", 8),
            )
            db.session.add(req)
            db.session.flush()
            db.session.add(
                Shift(
                    organisation_id=org.id,
                    request_id=req.id,
                    group_key=f"{req.id}:2026-04-14",
                    occurrence_date=date(2026, 4, 14),
                    kind=ShiftKind.VISIT,
                    status=april,
                    starts_at=at("2026-04-14"),
                    ends_at=at("2026-04-14", 11),
                    start_address="a",
                    end_address="b",
                    neighbourhood=hood,
                )
            )
    who, day, score, direct = LATE_MEASURE
    _measure(org, people[who], day, score, direct, [])


def _measure(
    org: Any, person: Any, day: str, score: int, direct: int | None, factors: list[str]
) -> None:
    db.session.add(
        LonelinessMeasure(
            organisation_id=org.id,
            person_id=person.id,
            scale="ucla3",
            taken_at=at(day, 11),
            score=score,
            direct=direct,
            risk_factors=factors,
        )
    )


def _activity(org: Any, people: dict[str, Any]) -> None:
    activity = Activity(
        organisation_id=org.id, title="Tombola", place_name="Sala", address="a", capacity=10
    )
    db.session.add(activity)
    db.session.flush()
    apps = {}
    for i in range(1, 8):
        apps[f"R{i}"] = Application(
            organisation_id=org.id, activity_id=activity.id, person_id=people[f"R{i}"].id
        )
        db.session.add(apps[f"R{i}"])
    for day, present, absent in SESSIONS:
        session = ActivitySession(
            activity_id=activity.id, starts_at=at(day, 15), ends_at=at(day, 17)
        )
        db.session.add(session)
        db.session.flush()
        for who, here in [(w, True) for w in present] + [(w, False) for w in absent]:
            db.session.add(
                Attendance(session_id=session.id, application_id=apps[who].id, present=here)
            )


def _referrals_and_measures(org: Any, people: dict[str, Any]) -> None:
    for kind, who, day, contact, assessed, helped in REFERRALS:
        received = at(day, 9)
        status = ReferralStatus.NEW if contact is None else ReferralStatus.CONTACTED
        db.session.add(
            Referral(
                organisation_id=org.id,
                person_id=people[who].id if who else None,
                source_kind=SourceKind(kind),
                channel=Channel.PHONE,
                referrer_name="Ada Referente",
                subject_name="Bice Segnalata",
                consent=Consent.AGREED,
                status=ReferralStatus.ACCEPTED if helped is not None else status,
                due_at=received + timedelta(days=2),
                created_at=received,
                first_contact_at=received + timedelta(days=contact) if contact else None,
                assessed_at=received + timedelta(days=1) if assessed else None,
                first_help_at=received + timedelta(days=helped) if helped else None,
            )
        )
    for who, day, score in MEASURES:
        db.session.add(
            LonelinessMeasure(
                organisation_id=org.id,
                person_id=people[who].id,
                scale="ucla3",
                taken_at=at(day, 11),
                score=score,
            )
        )


def _alert(org: Any, person: Any, raised: datetime, hours: int | None) -> None:
    db.session.add(
        Alert(
            organisation_id=org.id,
            person_id=person.id,
            reason=AlertReason.WORRIED,
            raised_at=raised,
            due_at=raised + timedelta(hours=4),
            handled_at=raised + timedelta(hours=hours) if hours is not None else None,
        )
    )


def _transfer(
    org: Any,
    key: str,
    debit: Any,
    credit: Any,
    minutes: int,
    kind: TransferKind,
    day: date,
    shift_id: int | None = None,
) -> None:
    db.session.add(
        Transfer(
            key=f"{org.id}-{key}",
            organisation_id=org.id,
            debit_account_id=debit.id,
            credit_account_id=credit.id,
            amount=minutes,
            kind=kind,
            service_date=day,
            shift_id=shift_id,
        )
    )

"""The record of processing activities (GDPR Art. 30), generated from the data model.

Every table of the metadata must be placed in ``TABLES`` (a purpose, whose data it is,
or ``None`` for a table holding no personal data); a new table without a place fails
``tests/privacy/test_processing.py``. The categories of personal data come from the
columns themselves (``CATEGORIES``, by column name), so the record follows the schema as
it changes: a new ``phone`` column appears in it without anyone editing this file.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from webapp.extensions import db

# Column name -> category of personal data. Health is a special category (Art. 9).
CATEGORIES: dict[str, str] = {
    **dict.fromkeys(
        ("first_name", "last_name", "guardian_name", "guardian_relation", "name"), "identity"
    ),
    **dict.fromkeys(
        (
            "email",
            "phone",
            "guardian_phone",
            "guardian_email",
            "address",
            "preferred_locale",
            "locale",
        ),
        "contact",
    ),  # fmt: skip
    **dict.fromkeys(
        (
            "lat",
            "lon",
            "neighbourhood",
            "start_address",
            "end_address",
            "start_lat",
            "start_lon",
            "end_lat",
            "end_lon",
            "pickup_address",
            "pickup_lat",
            "pickup_lon",
        ),
        "location",
    ),  # fmt: skip
    **dict.fromkeys(
        (
            "health_notes",
            "uses_wheelchair",
            "uses_walker",
            "needs_escort",
            "hard_of_hearing",
            "wheelchair",
            "escort",
            "mood",
            "resident_happy",
            "worried",
        ),
        "health (special category, Art. 9)",
    ),  # fmt: skip
    **dict.fromkeys(("gender", "languages", "interests", "gender_preference"), "profile"),
    **dict.fromkeys(
        (
            "note",
            "notes",
            "body",
            "subject",
            "reason",
            "status_reason",
            "cancel_reason",
            "outcome",
            "changes",
        ),
        "free text",
    ),  # fmt: skip
    **dict.fromkeys(("ip_address", "user_agent", "last_seen_at"), "connection data"),
    **dict.fromkeys(
        ("password_hash", "token_hash", "secret", "code_hash", "token"), "credentials (hashed)"
    ),
    **dict.fromkeys(("balance", "amount"), "time-bank minutes"),
    **dict.fromkeys(("consent_given_at", "consent_method", "consent_withdrawn_at"), "consent"),
    **dict.fromkeys(("starts_at", "ends_at", "actual_start", "actual_end"), "activity times"),
}

RESIDENTS, VOLUNTEERS, STAFF = _l("residents"), _l("volunteers"), _l("coordinators")

# Table -> (purpose, data subjects), or None: no personal data.
TABLES: dict[str, tuple[object, tuple[object, ...]] | None] = {
    "person": (_l("Arranging visits and rides between neighbours"), (RESIDENTS, VOLUNTEERS)),
    "resident_profile": (_l("Knowing what help a resident needs"), (RESIDENTS,)),
    "volunteer_profile": (_l("Matching volunteers to visits and rides"), (VOLUNTEERS,)),
    "availability_slot": (_l("Matching volunteers to visits and rides"), (VOLUNTEERS,)),
    "absence": (_l("Matching volunteers to visits and rides"), (VOLUNTEERS,)),
    # Derived from the rows above and the shifts (docs/shifts.md, the board's candidates).
    "board_candidate": (_l("Matching volunteers to visits and rides"), (VOLUNTEERS,)),
    # That a volunteer's board changed, by id only (docs/shifts.md, the board kept
    # rendered); older rows dropped nightly.
    "board_change": (_l("Matching volunteers to visits and rides"), (VOLUNTEERS,)),
    # The observatory's monthly summary (docs/observatory.md): who was counted in which
    # month, by id only, so distinct people over a period are exact; recomputed nightly.
    "observatory_people": (
        _l("Figures for the council: people counted, never named"),
        (RESIDENTS, VOLUNTEERS),
    ),
    "observatory_first": (
        _l("Figures for the council: people counted, never named"),
        (RESIDENTS, VOLUNTEERS),
    ),
    "credential": (_l("Vetting volunteers (safeguarding)"), (VOLUNTEERS,)),
    "credential_warning": (_l("Vetting volunteers (safeguarding)"), (VOLUNTEERS,)),
    "user_account": (_l("Logging in"), (RESIDENTS, VOLUNTEERS, STAFF)),
    "login_session": (_l("Logging in; security"), (RESIDENTS, VOLUNTEERS, STAFF)),
    "login_throttle": (
        _l("Security: slowing down password guessing"),
        (RESIDENTS, VOLUNTEERS, STAFF),
    ),  # noqa: E501
    "second_factor": (_l("Security: second factor"), (STAFF,)),
    "recovery_code": (_l("Security: second factor"), (STAFF,)),
    "help_request": (_l("What a resident asks for"), (RESIDENTS,)),
    "request_window": (_l("What a resident asks for"), (RESIDENTS,)),
    "shift": (_l("Arranging visits and rides between neighbours"), (RESIDENTS, VOLUNTEERS)),
    "assignment": (_l("Arranging visits and rides between neighbours"), (VOLUNTEERS,)),
    "shift_event": (_l("History of a visit or ride"), (RESIDENTS, VOLUNTEERS)),
    "check_in": (_l("Wellbeing of residents after a visit"), (RESIDENTS, VOLUNTEERS)),
    "calendar_token": (_l("A volunteer's calendar feed"), (VOLUNTEERS,)),
    "notification": (
        _l("Telling people about their visits and rides"),
        (RESIDENTS, VOLUNTEERS, STAFF),
    ),  # noqa: E501
    "notification_preference": (
        _l("Telling people about their visits and rides"),
        (RESIDENTS, VOLUNTEERS),
    ),  # noqa: E501
    "contact_log": (_l("The coordinator's log of calls"), (RESIDENTS, VOLUNTEERS)),
    "desk_alert": (_l("Following up worries about a resident"), (RESIDENTS,)),
    "desk_duty": (_l("Who is on duty"), (STAFF,)),
    "timebank_account": (_l("The time bank"), (RESIDENTS, VOLUNTEERS)),
    "timebank_transfer": (_l("The time bank"), (RESIDENTS, VOLUNTEERS, STAFF)),
    "timebank_api_token": (_l("The mobile app's access"), (RESIDENTS, VOLUNTEERS)),
    "timebank_partner": (_l("The time bank"), (RESIDENTS, VOLUNTEERS)),  # whom to give to
    # An account's service minutes per month (the coordinator's biggest givers).
    "timebank_account_month": (_l("The time bank"), (RESIDENTS, VOLUNTEERS)),
    "geocode_cache": (_l("Placing addresses on the map"), (RESIDENTS, VOLUNTEERS)),
    "match_run": (_l("Proposing volunteers for visits and rides"), (STAFF,)),
    "audit_event": (_l("Accountability: who read or changed what"), (RESIDENTS, VOLUNTEERS, STAFF)),  # noqa: E501
    # No personal data: settings, reference data, machinery.
    "activity_application": (
        _l("Choosing participants for group activities"), (RESIDENTS,)
    ),
    "activity_attendance": (_l("Group activities: who came"), (RESIDENTS,)),
    "activity_helper": (_l("Group activities: volunteers who help"), (VOLUNTEERS,)),
    "activity_ride": (_l("Rides to group activities"), (RESIDENTS,)),
    "ride_route": (_l("Arranging visits and rides between neighbours"), (RESIDENTS, VOLUNTEERS)),
    "referral": (
        _l("Reaching isolated people others are worried about (referrals)"),
        (RESIDENTS, _l("referrers")),
    ),
    "loneliness_measure": (_l("Measuring loneliness to target help (health data)"), (RESIDENTS,)),
    "activity_prescription": (_l("Social prescribing of local activities"), (RESIDENTS,)),
    "organisation": None,
    # That an organisation's calendar changed, by organisation id only (docs/shifts.md).
    "calendar_change": None,
    "activity": None,
    "activity_session": None,
    "directory_activity": None,
    "organisation_settings": None,
    "organisation_schedule": None,
    "timebank_policy": None,
    # The organisation's time-bank sums, and a stamp moved when someone is renamed.
    "timebank_figures": None,
    "timebank_month_figures": None,
    "timebank_names": None,
    "gazetteer_entry": None,
    "job_run": None,
    "observatory_count": None,  # sums per month and neighbourhood, no one in them
    "observatory_refresh": None,
}


@dataclass(frozen=True)
class Activity:
    table: str
    purpose: str
    subjects: list[str]
    categories: dict[str, list[str]]  # category -> columns

    @property
    def special(self) -> bool:
        return any("Art. 9" in c for c in self.categories)


def _categories(table: sa.Table) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for column in table.columns:
        category = CATEGORIES.get(column.name)
        if category is not None:
            out.setdefault(category, []).append(column.name)
    return out


def unplaced(metadata: sa.MetaData | None = None) -> list[str]:
    """Tables of the model that the record does not place yet."""
    tables = (metadata or db.metadata).tables
    return sorted(name for name in tables if name not in TABLES)


def activities(metadata: sa.MetaData | None = None) -> list[Activity]:
    """One entry per table holding personal data, in the model's order."""
    out = []
    for table in (metadata or db.metadata).sorted_tables:
        place = TABLES.get(table.name)
        if place is None:
            continue
        purpose, subjects = place
        out.append(
            Activity(table.name, str(purpose), [str(s) for s in subjects], _categories(table))
        )
    return out


RETENTION = {
    "person": _l("Residents: erased after the organisation's inactivity period; volunteers: "
                 "until they leave and ask for erasure"),
    "notification": _l("Deleted after the organisation's message period"),
    "login_session": _l("Ends after the idle and absolute time-outs"),
    "timebank_transfer": _l("Kept (accounting), under a pseudonym after erasure"),
    "audit_event": _l("Kept; values blanked when the person is erased"),
}  # fmt: skip


def as_markdown(metadata: sa.MetaData | None = None) -> str:
    """The record as a Markdown document (``flask privacy record``)."""
    lines = [
        "# Record of processing activities (GDPR Art. 30)",
        "",
        "Generated from Ponte's data model. Controller: the organisation running Ponte "
        "(see its profile). Recipients: the organisation's coordinators; volunteers see a "
        "resident's name, address, phone and the request's notes only for a visit or ride "
        "they hold. No transfers outside the EU. Security: see docs/security.md.",
        "",
        "| table | purpose | data subjects | categories of personal data | retention |",
        "|---|---|---|---|---|",
    ]
    for a in activities(metadata):
        cats = "; ".join(f"{c} ({', '.join(cols)})" for c, cols in sorted(a.categories.items()))
        retention = str(RETENTION.get(a.table, _l("As long as the record it belongs to")))
        lines.append(
            f"| {a.table} | {a.purpose} | {', '.join(a.subjects)} | {cats or '-'} | {retention} |"
        )
    return "\n".join(lines) + "\n"

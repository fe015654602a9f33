"""The case file's entries about referrals and loneliness measures (registered with
``core.timeline.add_source``), and the labels the pages share."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from webapp.core.timeline import Entry, add_source
from webapp.people.models import Person
from webapp.referrals import queries
from webapp.referrals.forms import CLOSE_LABELS, SOURCE_LABELS
from webapp.referrals.models import CloseReason, ReferralStatus, SourceKind


def status_label(status: ReferralStatus) -> str:
    return {
        ReferralStatus.NEW: _("New"),
        ReferralStatus.CONTACTED: _("Contacted"),
        ReferralStatus.ASSESSED: _("Assessed"),
        ReferralStatus.ACCEPTED: _("Accepted into the service"),
        ReferralStatus.DECLINED: _("Closed"),
    }[status]


def source_label(source: SourceKind | str) -> str:
    if source == "all":
        return _("All sources")
    return str(SOURCE_LABELS.get(str(source), source))


def close_label(reason: CloseReason | None) -> str:
    return str(CLOSE_LABELS.get(reason.value, reason.value)) if reason else ""


def risk_label(level: str) -> str:
    return {"high": _("high"), "medium": _("medium"), "low": _("low")}[level]


def referral_entries(person: Person) -> list[Entry]:
    out = []
    for r in queries.for_person(person.id):
        out.append(
            Entry(
                at=r.created_at,
                kind="referral",
                label=_("Referral"),
                title=_("Referred by %(who)s (%(source)s)", who=r.referrer_name,
                        source=source_label(r.source_kind)),  # fmt: skip
                detail=r.reason,
                url=url_for("referrals.referral", referral_id=r.id),
                attention=r.status == ReferralStatus.NEW,
            )
        )
    for m in queries.measures_for(person.id):
        out.append(
            Entry(
                at=m.taken_at,
                kind="measure",
                label=_("Loneliness"),
                title=_("UCLA-3 score %(score)d of 9", score=m.score),
            )
        )
    for p in queries.prescriptions_for(person.id):
        out.append(
            Entry(
                at=p.prescribed_at,
                kind="activity",
                label=_("Activity"),
                title=_("Prescribed: %(name)s", name=p.activity.name),
            )
        )
    return out


add_source(referral_entries)

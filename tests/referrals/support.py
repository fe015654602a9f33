"""What the referral tests share: a referral form filled in, and logging in."""

from __future__ import annotations

from tests.factories import PASSWORD
from tests.helpers import login
from webapp.referrals import operations
from webapp.referrals.models import (
    Channel,
    ReferralStatus,
)

S = ReferralStatus
FORM = {
    "subject_name": "Maria Russo",
    "subject_phone": "0865 412345",
    "subject_address": "Via Roma 3, Isernia",
    "reason": "She has not left the flat since her husband died.",
    "consent": "not_asked",
    "source_kind": "neighbour",
    "referrer_name": "Lucia Neri",
    "referrer_contact": "lucia@example.org",
    "agree": "y",
}


def login_as(client, user):  # type: ignore[no-untyped-def]
    assert login(client, user.email, PASSWORD).status_code == 302


def submit_referral(org, **kw):  # type: ignore[no-untyped-def]
    data = {**FORM, **kw}
    return operations.submit(org.id, data, channel=Channel.ONLINE, now=kw.pop("now", None))

"""The audit log's reactions to other features' signals (connected in webapp/listeners.py).

Each writes one entry in the transaction of the change; none commits. Senders are typed
for the checker only: this package sits below the features that announce.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from webapp.audit.operations import record

if TYPE_CHECKING:
    from webapp.auth.models import User
    from webapp.people.models import Person


def on_security_event(sender: User, *, event: str, actor: User | None = None, **_: Any) -> None:
    """auth's ``security_event``: temporary passwords, second factors, blocked logins."""
    record(
        f"account.{event}",
        actor=actor,
        organisation_id=sender.organisation_id,
        person_id=sender.person_id,
        target=f"user:{sender.id}",
    )


def on_access_revoked(sender: User, *, reason: str, **_: Any) -> None:
    record(
        "account.access_revoked",
        actor=None,
        organisation_id=sender.organisation_id,
        person_id=sender.person_id,
        target=f"user:{sender.id}",
        changes={"reason": [None, reason]},
    )


def on_role_changed(
    sender: Person, *, role: str, added: bool, actor: User | None = None, **_: Any
) -> None:
    record(
        f"role.{'added' if added else 'removed'}",
        actor=actor,
        organisation_id=sender.organisation_id,
        person_id=sender.id,
        changes={role: [not added, added]},
    )


def on_resident_checked(sender: Person, *, by: User | None = None, **_: Any) -> None:
    record(
        "resident.checked",
        actor=by,
        organisation_id=sender.organisation_id,
        person_id=sender.id,
    )


def on_person_located(sender: Person, *, actor: User | None = None, **_: Any) -> None:
    record(
        "person.pin_moved",
        actor=actor,
        organisation_id=sender.organisation_id,
        person_id=sender.id,
        changes={"pin": [None, [sender.lat, sender.lon]]},
    )

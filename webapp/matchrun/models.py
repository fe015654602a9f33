"""A match run: one press of "Propose matches", solved in the background by a worker.

The row is the only channel between the web request and the worker process: the view
creates it (``queued``), the worker moves it to ``running``, writes progress in short
transactions of its own, and ends it ``done`` (``results`` filled) or ``failed`` (``error``
filled with a message a coordinator can read). Proposals live in ``results`` until the
coordinator approves them; only then do they become shift assignments.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import utcnow
from webapp.extensions import Model


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class RunScope(enum.StrEnum):
    VISITS = "visits"
    RIDES = "rides"
    BOTH = "both"


def _enum(e: type[enum.Enum]) -> sa.Enum:
    return sa.Enum(e, native_enum=False, length=20, values_callable=lambda x: [m.value for m in x])


class MatchRun(Model):
    __tablename__ = "match_run"
    __table_args__ = (
        sa.CheckConstraint("date_to >= date_from", name="range_order"),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name="progress_range"),
        sa.CheckConstraint("time_limit_s > 0", name="time_limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The run this one re-solves (pins and decisions carried over), if any.
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("match_run.id", ondelete="SET NULL")
    )
    scope: Mapped[RunScope] = mapped_column(_enum(RunScope), default=RunScope.VISITS)
    date_from: Mapped[date] = mapped_column(sa.Date)
    date_to: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[RunStatus] = mapped_column(
        _enum(RunStatus), default=RunStatus.QUEUED, index=True
    )
    progress: Mapped[float] = mapped_column(sa.Float, default=0.0)
    progress_text: Mapped[str] = mapped_column(sa.String(200), default="")
    seed: Mapped[int] = mapped_column(default=0)
    time_limit_s: Mapped[float] = mapped_column(sa.Float, default=10.0)
    # {"pins": {"<shift id>": {"people": [person ids], "start": ISO datetime, "kind": ...,
    # "date": ISO date}}}: the coordinator's fixed choices.
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    results: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # {"<shift id>": "approved" | "rejected"}: what the coordinator did with each proposal.
    decisions: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    error: Mapped[str | None] = mapped_column(sa.Text)
    worker_pid: Mapped[int | None] = mapped_column()
    # The task queue's job solving it (``MATCHRUN_QUEUE=procrastinate``): a retry of that
    # same job, after its worker died, may take the run over again; any other may not.
    job_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def pins(self) -> dict[str, dict[str, Any]]:
        return dict((self.params or {}).get("pins", {}))

    @property
    def no_share(self) -> list[int]:
        """Ride groups (first leg ids) the coordinator split out of a shared ride: the
        re-solve books each of them on its own."""
        return [int(x) for x in (self.params or {}).get("no_share", [])]

    def decide(self, shift_id: int, decision: str) -> None:
        # A JSON column only notices a new object, not an in-place change.
        self.decisions = {**(self.decisions or {}), str(shift_id): decision}

    def __repr__(self) -> str:
        span = f"{self.date_from}..{self.date_to}"
        return f"<MatchRun {self.id} {self.scope.value} {self.status.value} {span}>"

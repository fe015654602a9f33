"""Run records: exactly-once per job and due time."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import utcnow
from webapp.extensions import Model


class JobRun(Model):
    """One run of one job for one due time.

    The row is inserted first, in the same transaction as the job's work: a second
    attempt at the same (job, due_at) hits the unique key and does nothing.
    """

    __tablename__ = "job_run"
    __table_args__ = (sa.UniqueConstraint("job", "due_at", name="uq_job_run_job_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(80))
    due_at: Mapped[datetime] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    worker: Mapped[str] = mapped_column(sa.String(120))  # host:pid of the scheduler
    summary: Mapped[str | None] = mapped_column(sa.String(500))

    def __repr__(self) -> str:
        return f"<JobRun {self.job} {self.due_at.isoformat()}>"

"""Handing job ids to workers. The job row is committed first; the broker only ever carries its id.

If the broker is down, the job stays queued with dispatched_at unset, and `redispatch_pending` sends it once
the broker is back (an outbox). Workers claim jobs with a conditional update, so a job sent twice runs once.
"""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from core import jobs
from core.tables import Job

log = logging.getLogger("easel.dispatch")


class Dispatcher(Protocol):
    def dispatch(self, job_id: str, model: str) -> None:
        """Hand the job id to a worker for `model`. Raises if the queue cannot take it."""

    def ping(self) -> None:
        """Raise if the queue cannot take work now (/readyz)."""

    def queue_lengths(self, models: list[str]) -> dict[str, int]:
        """Messages waiting for a worker, per model (/metrics); empty where there is no broker queue."""


def dispatch_job(sessions: sessionmaker[Session], dispatcher: Dispatcher, job_id: str, model: str) -> bool:
    try:
        dispatcher.dispatch(job_id, model)
    except Exception as exc:
        log.warning("dispatch failed; the job stays queued for redispatch: %s", exc, extra={"job_id": job_id})
        return False
    with sessions() as session:
        jobs.mark_dispatched(session, job_id)
    return True


def requeue_expired(sessions: sessionmaker[Session], max_attempts: int) -> list[str]:
    """Lease recovery, the one place it happens: running jobs whose worker stopped renewing go back to the
    queue (or fail after max_attempts). Returns the requeued ids, which are then undispatched."""
    with sessions() as session:
        requeued = jobs.recover_expired_jobs(session, max_attempts)
    for job_id in requeued:
        log.warning("job's lease ran out (its worker died); queued again", extra={"job_id": job_id})
    return requeued


def redispatch_pending(
    sessions: sessionmaker[Session], dispatcher: Dispatcher, max_attempts: int, min_age_seconds: float = 5.0
) -> int:
    """Requeue jobs of dead workers, then send every queued job the broker never got. Returns how many were sent."""
    requeue_expired(sessions, max_attempts)
    with sessions() as session:
        pending = [
            (job_id, session.get(Job, job_id).model)
            for job_id in jobs.undispatched_job_ids(session, older_than_seconds=min_age_seconds)
        ]
    return sum(dispatch_job(sessions, dispatcher, job_id, model) for job_id, model in pending)

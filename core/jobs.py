"""The job state machine: the only functions that change a job's state.

A job moves queued -> running -> succeeded | failed | cancelled. A running job holds a lease that its worker
renews with its progress, once a second; a job whose lease ran out belongs to a dead worker and is queued again
(or failed once it has used max_attempts). Every state change is a conditional UPDATE, so two workers can never
both own a job, and a worker that lost its lease cannot overwrite the job's result.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from core.tables import TERMINAL, Image, Job, JobStatus, utcnow


def create_job(session: Session, **fields: Any) -> Job:
    job = Job(**fields)
    session.add(job)
    session.commit()
    return job


def find_duplicate_job(
    session: Session, api_key_id: str, *, idempotency_key: str | None, fingerprint: str, window_seconds: int
) -> Job | None:
    """The job a retried request should attach to instead of starting the same work again."""
    if idempotency_key:
        return session.scalar(
            select(Job).where(Job.api_key_id == api_key_id, Job.idempotency_key == idempotency_key)
        )
    since = utcnow() - timedelta(seconds=window_seconds)
    return session.scalar(
        select(Job)
        .where(
            Job.api_key_id == api_key_id,
            Job.fingerprint == fingerprint,
            Job.created_at >= since,
            Job.status.in_([JobStatus.queued.value, JobStatus.running.value, JobStatus.succeeded.value]),
        )
        .order_by(Job.created_at.desc())
        .limit(1)
    )


def claim_job(session: Session, job_id: str, worker_id: str, lease_seconds: int) -> Job | None:
    """Make worker_id the owner of a queued job (or of a running one whose lease ran out). None if not ours."""
    now = utcnow()
    result = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.cancel_requested.is_(False),
            or_(
                Job.status == JobStatus.queued.value,
                (Job.status == JobStatus.running.value) & (Job.lease_expires_at < now),
            ),
        )
        .values(
            status=JobStatus.running.value,
            worker_id=worker_id,
            attempts=Job.attempts + 1,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            started_at=func.coalesce(Job.started_at, now),
            progress_step=0,
        )
    )
    session.commit()
    if result.rowcount != 1:
        # A queued job whose cancellation was asked before it ran ends here, without running.
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.queued.value, Job.cancel_requested.is_(True))
            .values(status=JobStatus.cancelled.value, finished_at=now)
        )
        session.commit()
        return None
    return session.get(Job, job_id, populate_existing=True)


def record_progress(
    session: Session, job_id: str, worker_id: str, step: int, total: int, lease_seconds: int
) -> bool:
    """Store progress and renew the lease. Returns False when the job should stop (cancelled or no longer ours)."""
    now = utcnow()
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.worker_id == worker_id, Job.status == JobStatus.running.value)
        .values(progress_step=step, progress_total=total, lease_expires_at=now + timedelta(seconds=lease_seconds))
    )
    session.commit()
    if result.rowcount != 1:
        return False
    return not session.scalar(select(Job.cancel_requested).where(Job.id == job_id))


def finish_job(session: Session, job_id: str, worker_id: str, images: list[dict[str, Any]], blocked: int) -> bool:
    """Record the outputs and mark the job succeeded, in one transaction, only if this worker still owns it."""
    now = utcnow()
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.worker_id == worker_id, Job.status == JobStatus.running.value)
        .values(status=JobStatus.succeeded.value, finished_at=now, lease_expires_at=None, blocked_outputs=blocked)
    )
    if result.rowcount != 1:
        session.rollback()
        return False
    for fields in images:
        session.add(Image(job_id=job_id, **fields))
    session.commit()
    return True


def fail_job(session: Session, job_id: str, code: str, message: str, worker_id: str | None = None) -> bool:
    conditions = [Job.id == job_id, Job.status.in_([JobStatus.queued.value, JobStatus.running.value])]
    if worker_id is not None:
        conditions.append(Job.worker_id == worker_id)
    result = session.execute(
        update(Job)
        .where(*conditions)
        .values(
            status=JobStatus.failed.value,
            error_code=code,
            error_message=message,
            finished_at=utcnow(),
            lease_expires_at=None,
        )
    )
    session.commit()
    return result.rowcount == 1


def mark_cancelled(
    session: Session, job_id: str, worker_id: str, step: int | None = None, total: int | None = None
) -> bool:
    """The job stopped at `step` of `total` (when given: the row's progress is written only once a second)."""
    progress = {} if step is None else {"progress_step": step, "progress_total": total}
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.worker_id == worker_id, Job.status == JobStatus.running.value)
        .values(status=JobStatus.cancelled.value, finished_at=utcnow(), lease_expires_at=None, **progress)
    )
    session.commit()
    return result.rowcount == 1


def request_cancel(session: Session, job_id: str) -> Job | None:
    """A queued job is cancelled at once; a running one is flagged and stops at its next sampling step."""
    now = utcnow()
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.queued.value)
        .values(status=JobStatus.cancelled.value, cancel_requested=True, finished_at=now)
    )
    session.execute(
        update(Job).where(Job.id == job_id, Job.status == JobStatus.running.value).values(cancel_requested=True)
    )
    session.commit()
    return session.get(Job, job_id, populate_existing=True)


def recover_expired_jobs(session: Session, max_attempts: int) -> list[str]:
    """Running jobs whose worker stopped renewing its lease: queue them again, or fail them after max_attempts.

    Returns the ids put back in the queue; the caller dispatches them.
    """
    now = utcnow()
    expired = session.scalars(
        select(Job.id).where(Job.status == JobStatus.running.value, Job.lease_expires_at < now)
    ).all()
    requeued = []
    for job_id in expired:
        exhausted = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.running.value, Job.lease_expires_at < now)
            .where(Job.attempts >= max_attempts)
            .values(
                status=JobStatus.failed.value,
                error_code="worker_lost",
                error_message=f"The worker running this job stopped responding {max_attempts} times; giving up.",
                finished_at=now,
                lease_expires_at=None,
            )
        )
        if exhausted.rowcount:
            continue
        back = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.running.value, Job.lease_expires_at < now)
            .values(status=JobStatus.queued.value, worker_id=None, lease_expires_at=None, dispatched_at=None)
        )
        if back.rowcount:
            requeued.append(job_id)
    session.commit()
    return requeued


def jobs_to_expire(session: Session, finished_before: datetime, limit: int = 200) -> list[Job]:
    """Finished jobs whose images and uploads the retention sweep has not deleted yet, oldest first."""
    return list(
        session.scalars(
            select(Job)
            .where(
                Job.status.in_([s.value for s in TERMINAL]),
                Job.finished_at < finished_before,
                Job.images_expired_at.is_(None),
            )
            .order_by(Job.finished_at)
            .limit(limit)
        ).all()
    )


def mark_images_expired(session: Session, job_id: str) -> None:
    session.execute(
        update(Job).where(Job.id == job_id, Job.images_expired_at.is_(None)).values(images_expired_at=utcnow())
    )
    session.commit()


def undispatched_job_ids(session: Session, older_than_seconds: float = 0.0) -> list[str]:
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    return list(
        session.scalars(
            select(Job.id)
            .where(Job.status == JobStatus.queued.value, Job.dispatched_at.is_(None), Job.created_at <= cutoff)
            .order_by(Job.created_at)
        ).all()
    )


def forget_dispatches(session: Session) -> int:
    """The broker lost its messages (a Redis without persistence restarted): every queued job needs sending
    again. Returns how many."""
    result = session.execute(
        update(Job).where(Job.status == JobStatus.queued.value, Job.dispatched_at.is_not(None)).values(dispatched_at=None)
    )
    session.commit()
    return result.rowcount


def mark_dispatched(session: Session, job_id: str) -> None:
    session.execute(
        update(Job).where(Job.id == job_id, Job.dispatched_at.is_(None)).values(dispatched_at=utcnow())
    )
    session.commit()


def reset_for_sole_worker(session: Session) -> None:
    """For a worker that starts as the only one (the embedded mode): what a previous process left running died
    with it, and its in-memory queue is gone, so every queued job needs sending again."""
    session.execute(
        update(Job)
        .where(Job.status == JobStatus.running.value)
        .values(lease_expires_at=utcnow() - timedelta(seconds=1))
    )
    session.execute(update(Job).where(Job.status == JobStatus.queued.value).values(dispatched_at=None))
    session.commit()


def batch_key(job: Job) -> tuple:
    """Jobs with the same key can share one model call (their prompts, images, masks, seeds and n may differ)."""
    params = job.params
    return (job.model, job.operation, params["size"], params.get("steps"), params.get("guidance_scale"))


def claim_compatible(session: Session, first: Job, worker_id: str, lease_seconds: int, room: int) -> list[Job]:
    """Queued jobs that can share `first`'s model call (same batch_key), claimed oldest first, each with its own
    lease, while their images fit in `room`. Another worker may claim some first: those are skipped."""
    key, claimed = batch_key(first), []
    candidates = session.scalars(
        select(Job)
        .where(Job.status == JobStatus.queued.value, Job.model == first.model,
               Job.operation == first.operation, Job.cancel_requested.is_(False))
        .order_by(Job.created_at)
        .limit(4 * room)
    ).all()
    for candidate in candidates:
        if batch_key(candidate) != key or candidate.params["n"] > room:
            continue
        job = claim_job(session, candidate.id, worker_id, lease_seconds)
        if job is not None:
            claimed.append(job)
            room -= job.params["n"]
    return claimed

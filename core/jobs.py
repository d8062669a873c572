"""Job, image, API key and policy-rejection tables, and the only functions that change a job's state.

A job moves queued -> running -> succeeded | failed | cancelled. A running job holds a lease that its worker
renews with its progress, once a second; a job whose lease ran out belongs to a dead worker and is queued again
(or failed once it has used max_attempts). Every state change is a conditional UPDATE, so two workers can never
both own a job, and a worker that lost its lease cannot overwrite the job's result.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.db import Base, UTCDateTime


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data).hexdigest()


class JobStatus(str, enum.Enum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


TERMINAL = (JobStatus.succeeded, JobStatus.failed, JobStatus.cancelled)


class Operation(str, enum.Enum):
    generate = "generate"
    edit = "edit"
    vary = "vary"


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("key"))
    name: Mapped[str] = mapped_column(String(200))
    # sha256 of the secret; the secret itself is shown once, at creation.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("api_key_id", "idempotency_key", name="uq_jobs_key_idempotency"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("job"))
    api_key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id"), index=True)
    operation: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(64), index=True)
    prompt: Mapped[str | None] = mapped_column(Text, nullable=True)
    # n, size, response_format, output_format, steps, guidance_scale: everything needed to rerun the job.
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(BigInteger)
    user: Mapped[str | None] = mapped_column(String(256), nullable=True)
    input_key: Mapped[str | None] = mapped_column(String(256), nullable=True)
    mask_key: Mapped[str | None] = mapped_column(String(256), nullable=True)

    status: Mapped[str] = mapped_column(String(16), default=JobStatus.queued.value, index=True)
    progress_step: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_outputs: Mapped[int] = mapped_column(Integer, default=0)

    # Dedupe of retried requests: an explicit Idempotency-Key, or a fingerprint of the request.
    idempotency_key: Mapped[str | None] = mapped_column(String(256), nullable=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)

    worker_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Outbox: set once the broker has the job id; a queued job without it is dispatched again.
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    images: Mapped[list[Image]] = relationship(back_populates="job", order_by="Image.index", lazy="selectin")

    @property
    def is_terminal(self) -> bool:
        return self.status in {s.value for s in TERMINAL}


class Image(Base):
    __tablename__ = "images"
    # One set of outputs per job, even when a job is redelivered.
    __table_args__ = (UniqueConstraint("job_id", "index", name="uq_images_job_index"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("img"))
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(256))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    job: Mapped[Job] = relationship(back_populates="images")


class PolicyRejection(Base):
    """One refusal by the content policy. Keeps a hash of the prompt and never the image."""

    __tablename__ = "policy_rejections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    api_key_id: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True, index=True)
    job_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    operation: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))  # prompt | upload | output
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    check: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prompt_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


# --- API keys -------------------------------------------------------------------------------------------------


def create_api_key(session: Session, name: str) -> tuple[ApiKey, str]:
    secret = "sk-easel-" + secrets.token_urlsafe(32)
    key = ApiKey(name=name, key_hash=sha256_hex(secret), prefix=secret[:14])
    session.add(key)
    session.commit()
    return key, secret


def find_api_key(session: Session, secret: str) -> ApiKey | None:
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == sha256_hex(secret)))
    if key is None or key.revoked_at is not None:
        return None
    return key


def revoke_api_key(session: Session, key_id_or_prefix: str) -> ApiKey | None:
    key = session.scalar(
        select(ApiKey).where(or_(ApiKey.id == key_id_or_prefix, ApiKey.prefix == key_id_or_prefix))
    )
    if key is not None and key.revoked_at is None:
        key.revoked_at = utcnow()
        session.commit()
    return key


# --- job state --------------------------------------------------------------------------------------------------


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


def release_job(session: Session, job_id: str, worker_id: str) -> None:
    """Give a running job back to the queue (a worker shutting down before it could finish)."""
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.worker_id == worker_id, Job.status == JobStatus.running.value)
        .values(status=JobStatus.queued.value, worker_id=None, lease_expires_at=None, dispatched_at=None)
    )
    session.commit()


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


def record_rejection(
    session: Session,
    *,
    api_key_id: str | None,
    operation: str,
    stage: str,
    category: str | None,
    check: str | None,
    prompt: str | None,
    job_id: str | None = None,
) -> None:
    session.add(
        PolicyRejection(
            api_key_id=api_key_id,
            job_id=job_id,
            operation=operation,
            stage=stage,
            category=category,
            check=check,
            prompt_sha256=sha256_hex(prompt) if prompt else None,
        )
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

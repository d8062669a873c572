"""The tables: API keys, jobs, their images, and the content policy's refusals. Rows only: what changes a job's
state is core/jobs.py, what changes a key is core/keys.py."""

from __future__ import annotations

import enum
import hashlib
import uuid
from datetime import datetime, timezone
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def timestamp(value: datetime | None) -> int | None:
    """Unix seconds, as OpenAI's objects give times."""
    return int(value.timestamp()) if value is not None else None


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


    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL


# The states a job never leaves. The one definition: everything else asks JobStatus(...).is_terminal.
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

    # admin: may use /v1/admin/* and the usage API; user: the Images and Jobs APIs only.
    role: Mapped[str] = mapped_column(String(16), default="user", server_default="user")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Disabled by an admin (reversible, no reason needed); suspended for misuse (by an admin or automatically).
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    suspended_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Limits: the key's own value, or (NULL) its tier's, or the deployment's default; 0 = no limit.
    tier: Mapped[str | None] = mapped_column(String(64), nullable=True)
    requests_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    images_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    images_per_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    images_per_month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    invitation_id: Mapped[str | None] = mapped_column(String(40), nullable=True)


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
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    # Set when the retention sweep deleted the job's images and uploads; the row and its image rows stay, so
    # the job can still be read and its image URLs answer 410 rather than 404.
    images_expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    images: Mapped[list[Image]] = relationship(back_populates="job", order_by="Image.index", lazy="selectin")

    @property
    def is_terminal(self) -> bool:
        return JobStatus(self.status).is_terminal


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
    # Kept only when the policy file says so (review.retain_prompt_days > 0), and cleared after that many days.
    prompt_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The human review: correct (a right refusal) | false_positive; who and when.
    review_verdict: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    review_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))  # "key:<id>" (admin endpoint), "cli", or "policy" (automatic)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(64), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("inv"))
    # sha256 of the code; the code itself is shown once, at creation.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str] = mapped_column(String(64))
    uses: Mapped[int] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

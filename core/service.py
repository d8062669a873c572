"""The job service: everything that happens to a request after it is parsed.

    check_limits → screen (content policy) → accept (idempotency, store inputs, create + dispatch) → wait
    and, for a key's own jobs: get, list, cancel.

The API's routes call it in that order for every endpoint (/v1/images/* and /v1/jobs/* alike): limits before
the body is read, the policy before anything is stored. Plain synchronous methods (the API runs them off the
event loop) except `wait`, which follows the job's events.
"""

from __future__ import annotations

import json
import logging
import operator
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import anyio
from PIL import Image as PILImage
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import jobs, rejections
from core.dispatch import Dispatcher, dispatch_job
from core.errors import APIError, invalid, not_found, policy_violation
from core.events import JobEvents
from core.limits import Limiter, LimitRefused, resolve_limits
from core.services import Services
from core.tables import ApiKey, Image, Job, JobStatus, Operation, new_id, sha256_hex
from core.images import png_bytes

if TYPE_CHECKING:
    from safety import ContentPolicy

log = logging.getLogger("easel.service")

# A request the SDK retries (x-stainless-retry-count > 0) within this window attaches to the first one's job.
RETRY_DEDUPE_SECONDS = 3600
MAX_IDEMPOTENCY_KEY = Job.__table__.c.idempotency_key.type.length  # PostgreSQL refuses longer values


@dataclass
class JobRequest:
    """A parsed, validated request: what to run. Uploads are already decoded and at the requested size."""

    operation: Operation
    model: str
    # n, size, response_format, output_format, output_compression, steps, guidance_scale: all a rerun needs.
    params: dict[str, Any]
    prompt: str | None = None
    seed: int | None = None
    user: str | None = None
    image: PILImage.Image | None = None  # RGB
    mask: PILImage.Image | None = None  # L, 255 = repaint
    upload_digest: str = ""


@dataclass(frozen=True)
class Delivery:
    """How the request arrived, for de-duplicating retries and joining logs."""

    idempotency_key: str | None = None
    is_retry: bool = False  # the SDK's own retry of an earlier attempt (x-stainless-retry-count > 0)
    request_id: str | None = None
    # Filled by accept with the x-ratelimit-* figures after the new job's images were charged; the API passes
    # the dict its response headers are taken from (api/parsing.delivery).
    ratelimit_headers: dict[str, str] = field(default_factory=dict)

    @property
    def may_repeat(self) -> bool:
        """It may attach to a job accepted before (which needs no new images)."""
        return bool(self.idempotency_key) or self.is_retry


def limit_error(refused: LimitRefused) -> APIError:
    """A refusal by the limits as OpenAI answers it."""
    if refused.kind == "unavailable":
        return APIError(503, refused.message, type="server_error", code="service_unavailable", headers=refused.headers)
    if refused.kind == "quota":
        return APIError(429, refused.message, type="insufficient_quota", code="insufficient_quota", headers=refused.headers)
    return APIError(429, refused.message, type="requests", code="rate_limit_exceeded", headers=refused.headers)


class JobService:
    def __init__(
        self,
        services: Services,
        dispatcher: Dispatcher,
        events: JobEvents,
        policy: "ContentPolicy",
        limiter: Limiter,
    ):
        self.services = services
        self.dispatcher = dispatcher
        self.events = events
        self.policy = policy
        self.limiter = limiter

    @property
    def settings(self):
        return self.services.settings

    # --- accepting work ---------------------------------------------------------------------------------------

    def check_limits(self, key: ApiKey, may_repeat: bool = False) -> dict[str, str]:
        """Before the request's body is read: an over-limit client's upload is never looked at. Counts the
        request, and refuses it when the key has no requests or (unless it may repeat an accepted job) no images
        left; a new job's n images are charged by accept. Returns the x-ratelimit-* headers."""
        try:
            return self.limiter.admit(key.id, resolve_limits(key, self.settings), check_images=not may_repeat)
        except LimitRefused as refused:
            raise limit_error(refused) from None

    def screen(self, key: ApiKey, request: JobRequest, uploads: list[PILImage.Image]) -> None:
        """Prompt first, then each upload. A refusal is recorded and answered as OpenAI does."""
        checks: list[tuple[str, Any]] = []
        if request.prompt is not None:
            checks.append(("prompt", lambda: self.policy.check_prompt(request.prompt)))
        for upload in uploads:
            checks.append(("upload", lambda upload=upload: self.policy.check_upload(upload)))
        for stage, check in checks:
            decision = check()
            if decision.allowed:
                continue
            with self.services.sessions() as session:
                # Recorded as the policy file says (prompt text kept for review or not); may suspend the key.
                rejections.record_refusal(
                    session,
                    self.policy,
                    api_key_id=key.id,
                    operation=request.operation.value,
                    stage=stage,
                    category=decision.category,
                    check=decision.check,
                    prompt=request.prompt,
                )
            raise policy_violation(decision.message)

    def accept(self, key: ApiKey, request: JobRequest, delivery: Delivery) -> Job:
        """Record the job (or find the one a retried request already made), then hand its id to a worker."""
        fp = fingerprint(key.id, request)
        if delivery.idempotency_key or delivery.is_retry:
            existing = self._duplicate_of(key, delivery.idempotency_key, fp)
            if existing is not None:
                return existing

        # A new job: its n images come out of the key's image limits now, before anything is stored or queued.
        # A repeat that attached above was charged with its first job. (Two requests with one Idempotency-Key that
        # race past the lookup are both charged, and the loser attaches below: an over-count, never an under-count.)
        try:
            delivery.ratelimit_headers.update(
                self.limiter.charge_images(key.id, resolve_limits(key, self.settings), int(request.params.get("n", 1)))
            )
        except LimitRefused as refused:
            raise limit_error(refused) from None

        job_id = new_id("job")
        input_key, mask_key = self._store_inputs(job_id, request)
        try:
            with self.services.sessions() as session:
                job = jobs.create_job(
                    session,
                    id=job_id,
                    api_key_id=key.id,
                    operation=request.operation.value,
                    model=request.model,
                    prompt=request.prompt,
                    params=request.params,
                    seed=request.seed if request.seed is not None else secrets.randbelow(2**31),
                    user=request.user,
                    input_key=input_key,
                    mask_key=mask_key,
                    idempotency_key=delivery.idempotency_key,
                    fingerprint=fp,
                    request_id=delivery.request_id,
                )
        except IntegrityError:
            # Requests with one Idempotency-Key that arrive together all miss the lookup above; the unique
            # constraint lets one job in, and the others attach to it.
            for stored in (input_key, mask_key):
                if stored:
                    self.services.storage.delete(stored)
            existing = self._duplicate_of(key, delivery.idempotency_key, fp) if delivery.idempotency_key else None
            if existing is None:
                raise
            return existing
        dispatch_job(self.services.sessions, self.dispatcher, job.id, job.model)
        return job

    def submit(self, key: ApiKey, request: JobRequest, uploads: list[PILImage.Image], delivery: Delivery) -> Job:
        self.screen(key, request, uploads)
        return self.accept(key, request, delivery)

    def _duplicate_of(self, key: ApiKey, idempotency_key: str | None, fp: str) -> Job | None:
        """The job this request repeats (same Idempotency-Key, or an SDK retry of the same request), if any."""
        with self.services.sessions() as session:
            existing = jobs.find_duplicate_job(
                session, key.id, idempotency_key=idempotency_key, fingerprint=fp, window_seconds=RETRY_DEDUPE_SECONDS
            )
        if existing is None:
            return None
        if existing.fingerprint != fp:
            raise invalid("This Idempotency-Key was already used with a different request.", code="idempotency_key_reused")
        log.info("retried request attached to its first job", extra={"job_id": existing.id})
        return existing

    def _store_inputs(self, job_id: str, request: JobRequest) -> tuple[str | None, str | None]:
        # Written (and synced) before the job that refers to them is committed.
        input_key = mask_key = None
        if request.image is not None:
            input_key = f"inputs/{job_id}/image.png"
            self.services.storage.put(input_key, png_bytes(request.image))
        if request.mask is not None:
            mask_key = f"inputs/{job_id}/mask.png"
            self.services.storage.put(mask_key, png_bytes(request.mask))
        return input_key, mask_key

    # --- following work ---------------------------------------------------------------------------------------

    async def wait(self, job_id: str, timeout: float) -> Job:
        """The job once it has ended, or as it is after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        subscription = self.events.subscribe(job_id, progress=False)
        try:
            while True:
                job = await anyio.to_thread.run_sync(self._read, job_id)
                if job.is_terminal or time.monotonic() >= deadline:
                    return job
                # Wake at the job's next event, or re-read the row after a while in case an event was lost.
                while True:
                    event = await subscription.get(timeout=min(2.0, max(0.01, deadline - time.monotonic())))
                    if event is None or JobStatus(event.get("status", "running")).is_terminal:
                        break
        finally:
            subscription.close()

    def _read(self, job_id: str) -> Job:
        with self.services.sessions() as session:
            return session.get(Job, job_id)

    def get(self, key: ApiKey, job_id: str) -> Job:
        """One of the key's own jobs; another key's job is as absent as one that never existed."""
        with self.services.sessions() as session:
            job = session.get(Job, job_id)
        if job is None or job.api_key_id != key.id:
            raise not_found(f"No job found with id '{job_id}'.", "job_id")
        return job

    def cancel(self, key: ApiKey, job_id: str) -> Job:
        """A queued job never runs; a running one is signalled and stops at its next sampling step."""
        self.get(key, job_id)
        with self.services.sessions() as session:
            job = jobs.request_cancel(session, job_id)
        if job.status == JobStatus.cancelled.value:
            self.events.publish(job_id, {"status": job.status, "step": job.progress_step, "total": job.progress_total})
        elif job.status == JobStatus.running.value:
            self.events.request_cancel(job_id)
        return job

    def list(
        self,
        key: ApiKey,
        *,
        limit: int,
        after: str | None = None,
        order: Literal["desc", "asc"] = "desc",
        status: JobStatus | None = None,
    ) -> tuple[list[Job], bool]:
        """A page of the key's jobs by creation time, and whether more follow."""
        query = select(Job).where(Job.api_key_id == key.id)
        if status is not None:
            query = query.where(Job.status == status.value)
        with self.services.sessions() as session:
            if after is not None:
                cursor = session.get(Job, after)
                if cursor is None or cursor.api_key_id != key.id:
                    raise invalid(f"No job found with id '{after}'.", "after", "invalid_value")
                follows = operator.lt if order == "desc" else operator.gt
                query = query.where(
                    follows(Job.created_at, cursor.created_at)
                    | ((Job.created_at == cursor.created_at) & follows(Job.id, cursor.id))
                )
            sort = (Job.created_at, Job.id)
            rows = session.scalars(
                query.order_by(*(column.desc() if order == "desc" else column for column in sort)).limit(limit + 1)
            ).all()
        return list(rows[:limit]), len(rows) > limit

    def image_bytes(self, image: Image) -> bytes:
        return self.services.storage.get(image.storage_key)


def fingerprint(key_id: str, request: JobRequest) -> str:
    body = json.dumps(
        {
            "key": key_id,
            "op": request.operation.value,
            "model": request.model,
            "prompt": request.prompt,
            "params": request.params,
            "seed": request.seed,
            "user": request.user,
            "upload": request.upload_digest,
        },
        sort_keys=True,
    )
    return sha256_hex(body)


def check_idempotency_key(value: str | None) -> str | None:
    if value is not None and len(value) > MAX_IDEMPOTENCY_KEY:
        raise invalid(f"The Idempotency-Key header is too long: at most {MAX_IDEMPOTENCY_KEY} characters.", code="invalid_value")
    return value or None

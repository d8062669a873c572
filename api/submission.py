"""From a validated request to a queued job, and from a finished job to an Images API response.

Shared by the synchronous OpenAI endpoints (/v1/images/*) and the async job endpoints (/v1/jobs/*).
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from PIL import Image
from sqlalchemy.exc import IntegrityError

from api.context import AppContext
from api.errors import APIError, invalid, policy_violation
from api.schemas import SIZES, ImageData, ImageOptions, ImagesResponse
from core import jobs
from core.dispatch import dispatch_job

log = logging.getLogger("easel.api")

# A request the SDK retries (x-stainless-retry-count > 0) within this window attaches to the first one's job.
RETRY_DEDUPE_SECONDS = 3600
MAX_IDEMPOTENCY_KEY = jobs.Job.__table__.c.idempotency_key.type.length  # PostgreSQL refuses longer values
TERMINAL_STATUSES = {status.value for status in jobs.TERMINAL}


@dataclass
class JobRequest:
    operation: jobs.Operation
    options: ImageOptions
    prompt: str | None = None
    image: Image.Image | None = None  # RGB, already at the requested size
    mask: Image.Image | None = None  # L, 255 = repaint
    upload_digest: str = ""
    params: dict = field(default_factory=dict)
    model: str = ""


def resolve_model(context: AppContext, requested: str | None) -> str:
    if requested in (None, "", "dall-e-2"):
        return context.settings.resolved_default_model
    if requested in context.served_models:
        return requested
    raise invalid(
        f"The model '{requested}' does not exist or is not served here. Served: "
        + ", ".join(["dall-e-2", *context.served_models])
        + ".",
        "model",
        "model_not_found",
    )


def check_prompt_text(prompt: str | None, max_chars: int) -> str:
    if prompt is None:
        raise invalid("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter")
    if not prompt.strip():
        raise invalid("'prompt' must not be empty.", "prompt", "invalid_value")
    if "\x00" in prompt:
        raise invalid("'prompt' must not contain NUL characters.", "prompt", "invalid_value")
    if len(prompt) > max_chars:
        raise invalid(
            f"'prompt' is too long: {len(prompt)} characters; the maximum is {max_chars}.", "prompt", "string_above_max_length"
        )
    return prompt


def normalize_options(context: AppContext, options: ImageOptions) -> tuple[str, dict]:
    """Apply defaults and refuse the newer fields' values that DALL·E 2 cannot honour. Returns (model, params)."""
    if options.quality not in (None, "standard", "auto"):
        raise invalid(f"Invalid value for 'quality': '{options.quality}' is not supported by dall-e-2; use 'standard'.", "quality", "invalid_value")
    if options.style not in (None,):
        raise invalid("'style' is only supported by dall-e-3.", "style", "invalid_value")
    if options.background not in (None, "auto", "opaque"):
        raise invalid(f"Invalid value for 'background': '{options.background}' is not supported; use 'auto' or 'opaque'.", "background", "invalid_value")
    if options.moderation not in (None, "auto"):
        raise invalid("Invalid value for 'moderation': only 'auto' is supported.", "moderation", "invalid_value")
    if options.stream:
        raise invalid("Streaming is not supported for dall-e-2; use the /v1/jobs endpoints to follow progress.", "stream", "invalid_value")
    if options.partial_images not in (None, 0):
        raise invalid("'partial_images' is not supported.", "partial_images", "invalid_value")
    if options.output_compression is not None and options.output_format not in ("jpeg", "webp"):
        raise invalid("'output_compression' needs output_format 'jpeg' or 'webp'.", "output_compression", "invalid_value")
    model = resolve_model(context, options.model)
    params = {
        "n": options.n or 1,
        "size": SIZES[options.size or "1024x1024"],
        "response_format": options.response_format or "url",
        "output_format": options.output_format or "png",
        "output_compression": options.output_compression,
        "steps": options.steps,
        "guidance_scale": options.guidance_scale,
    }
    return model, params


def fingerprint(key_id: str, request: JobRequest, seed: int | None) -> str:
    body = json.dumps(
        {
            "key": key_id,
            "op": request.operation.value,
            "model": request.model,
            "prompt": request.prompt,
            "params": request.params,
            "seed": seed,
            "user": request.options.user,
            "upload": request.upload_digest,
        },
        sort_keys=True,
    )
    return jobs.sha256_hex(body)


def check_rate_limit(context: AppContext, key: jobs.ApiKey) -> None:
    wait = context.rate_limiter.retry_after(key.id)
    if wait is not None:
        raise APIError(
            429,
            f"Rate limit reached for images: {context.rate_limiter.per_minute} requests per minute. "
            f"Try again in {wait}s.",
            type="requests",
            code="rate_limit_exceeded",
            headers={"Retry-After": str(wait)},
        )


async def check_policy(context: AppContext, key: jobs.ApiKey, request: JobRequest, uploads: list[Image.Image]) -> None:
    """Prompt first, then each upload. A refusal is recorded and answered as OpenAI does."""
    checks: list[tuple[str, object]] = []
    if request.prompt is not None:
        checks.append(("prompt", lambda: context.policy.check_prompt(request.prompt)))
    for upload in uploads:
        checks.append(("upload", lambda upload=upload: context.policy.check_upload(upload)))
    for stage, check in checks:
        decision = await run_in_threadpool(check)
        if decision.allowed:
            continue
        await run_in_threadpool(_record_rejection, context, key, request, stage, decision)
        raise policy_violation(decision.message)


def _record_rejection(context: AppContext, key: jobs.ApiKey, request: JobRequest, stage: str, decision) -> None:
    with context.services.sessions() as session:
        jobs.record_rejection(
            session,
            api_key_id=key.id,
            operation=request.operation.value,
            stage=stage,
            category=decision.category,
            check=decision.check,
            prompt=request.prompt,
        )


def _store_inputs(context: AppContext, job_id: str, request: JobRequest) -> tuple[str | None, str | None]:
    from api.uploads import png_bytes

    input_key = mask_key = None
    if request.image is not None:
        input_key = f"inputs/{job_id}/image.png"
        context.services.storage.put(input_key, png_bytes(request.image))
    if request.mask is not None:
        mask_key = f"inputs/{job_id}/mask.png"
        context.services.storage.put(mask_key, png_bytes(request.mask))
    return input_key, mask_key


def _attach_to_duplicate(context: AppContext, key: jobs.ApiKey, idempotency_key: str | None, fp: str) -> jobs.Job | None:
    """The job this request repeats (same Idempotency-Key, or an SDK retry of the same request), if any."""
    with context.services.sessions() as session:
        existing = jobs.find_duplicate_job(
            session, key.id, idempotency_key=idempotency_key, fingerprint=fp, window_seconds=RETRY_DEDUPE_SECONDS
        )
    if existing is None:
        return None
    if existing.fingerprint != fp:
        raise invalid("This Idempotency-Key was already used with a different request.", code="idempotency_key_reused")
    log.info("retried request attached to its first job", extra={"job_id": existing.id})
    return existing


async def submit_job(context: AppContext, http: Request, key: jobs.ApiKey, request: JobRequest) -> jobs.Job:
    """Record the job (or find the one a retried request already made), then hand its id to a worker."""
    idempotency_key = http.headers.get("idempotency-key") or None
    if idempotency_key is not None and len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
        raise invalid(f"The Idempotency-Key header is too long: at most {MAX_IDEMPOTENCY_KEY} characters.", code="invalid_value")
    is_retry = http.headers.get("x-stainless-retry-count", "0") not in ("", "0")
    request_id = getattr(http.state, "request_id", None)
    # Database and storage calls block: off the event loop, so other requests are not held up behind them.
    return await run_in_threadpool(_record_and_dispatch, context, key, request, idempotency_key, is_retry, request_id)


def _record_and_dispatch(
    context: AppContext,
    key: jobs.ApiKey,
    request: JobRequest,
    idempotency_key: str | None,
    is_retry: bool,
    request_id: str | None,
) -> jobs.Job:
    seed = request.options.seed
    fp = fingerprint(key.id, request, seed)
    sessions = context.services.sessions
    if idempotency_key or is_retry:
        existing = _attach_to_duplicate(context, key, idempotency_key, fp)
        if existing is not None:
            return existing

    job_id = jobs.new_id("job")
    input_key, mask_key = _store_inputs(context, job_id, request)
    try:
        with sessions() as session:
            job = jobs.create_job(
                session,
                id=job_id,
                api_key_id=key.id,
                operation=request.operation.value,
                model=request.model,
                prompt=request.prompt,
                params=request.params,
                seed=seed if seed is not None else secrets.randbelow(2**31),
                user=request.options.user,
                input_key=input_key,
                mask_key=mask_key,
                idempotency_key=idempotency_key,
                fingerprint=fp,
                request_id=request_id,
            )
    except IntegrityError:
        # Requests with one Idempotency-Key that arrive together all miss the lookup above; the unique
        # constraint lets one job in, and the others attach to it.
        for stored in (input_key, mask_key):
            if stored:
                context.services.storage.delete(stored)
        existing = _attach_to_duplicate(context, key, idempotency_key, fp) if idempotency_key else None
        if existing is None:
            raise
        return existing
    dispatch_job(sessions, context.dispatcher, job.id, job.model)
    return job


def _read_job(context: AppContext, job_id: str) -> jobs.Job:
    with context.services.sessions() as session:
        return session.get(jobs.Job, job_id)


async def wait_for_job(context: AppContext, job_id: str, timeout: float) -> jobs.Job:
    deadline = time.monotonic() + timeout
    subscription = context.events.subscribe(job_id, progress=False)
    try:
        while True:
            job = await run_in_threadpool(_read_job, context, job_id)
            if job.is_terminal or time.monotonic() >= deadline:
                return job
            # Wake at the job's next event, or re-read the row after a while in case an event was lost.
            while True:
                event = await subscription.get(timeout=min(2.0, max(0.01, deadline - time.monotonic())))
                if event is None or event.get("status") in TERMINAL_STATUSES:
                    break
    finally:
        subscription.close()


def image_url(context: AppContext, http: Request, image: jobs.Image) -> str:
    expires, signature = context.services.signer.sign(image.id)
    base = context.settings.public_base_url.rstrip("/") or str(http.base_url).rstrip("/")
    return f"{base}/v1/files/{image.id}/content?expires={expires}&signature={signature}"


def images_response(
    context: AppContext, http: Request, job: jobs.Job, response_format: str | None = None
) -> ImagesResponse:
    """The job's images, in the response_format it was asked with unless another is given."""
    response_format = response_format or job.params.get("response_format")
    data = []
    for image in job.images:
        if response_format == "b64_json":
            raw = context.services.storage.get(image.storage_key)
            data.append(ImageData(b64_json=base64.b64encode(raw).decode()))
        else:
            data.append(ImageData(url=image_url(context, http, image)))
    return ImagesResponse(created=int(job.created_at.timestamp()), data=data)


def raise_for_unfinished(job: jobs.Job, timeout: float) -> None:
    """Turn a job that did not succeed into the error a synchronous caller gets."""
    if job.status == jobs.JobStatus.succeeded.value:
        return
    if job.status == jobs.JobStatus.failed.value:
        if job.error_code == "content_policy_violation":
            raise policy_violation(job.error_message or "Your request was rejected by the content policy.")
        raise APIError(500, f"The job {job.id} failed: {job.error_message}", type="server_error", code=job.error_code)
    if job.status == jobs.JobStatus.cancelled.value:
        raise invalid(f"The job {job.id} was cancelled.", code="job_cancelled")
    raise APIError(
        504,
        f"The image is still being generated (job {job.id}, {job.status}) after {timeout:.0f}s. It keeps running; "
        f"follow it at /v1/jobs/{job.id}.",
        type="server_error",
        code="timeout",
    )


async def run_sync(context: AppContext, http: Request, key: jobs.ApiKey, request: JobRequest) -> ImagesResponse:
    job = await submit_job(context, http, key, request)
    http.state.job_id = job.id
    timeout = context.settings.sync_timeout_seconds
    job = await wait_for_job(context, job.id, timeout)
    raise_for_unfinished(job, timeout)
    return await run_in_threadpool(images_response, context, http, job)


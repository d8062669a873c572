"""From jobs to what clients read: Images API responses (signed URLs or base64), job objects, and the error a
synchronous caller gets for a job that did not succeed."""

from __future__ import annotations

import base64

from fastapi import Request

from api.context import AppContext
from api.schemas import ImageData, ImagesResponse, JobError, JobObject, JobProgress
from core.errors import APIError, invalid, policy_violation
from core.tables import Image, Job, JobStatus, timestamp


def image_url(context: AppContext, http: Request, image: Image) -> str:
    expires, signature = context.services.signer.sign(image.id)
    presign = getattr(context.services.storage, "presigned_url", None)
    if context.settings.s3_presigned_urls and presign is not None:
        # Straight from the bucket, signed by the store, expiring when Easel's own URL would.
        return presign(image.storage_key, expires)
    base = context.settings.public_base_url.rstrip("/") or str(http.base_url).rstrip("/")
    return f"{base}/v1/files/{image.id}/content?expires={expires}&signature={signature}"


def images_response(context: AppContext, http: Request, job: Job, response_format: str | None = None) -> ImagesResponse:
    """The job's images, in the response_format it was asked with unless another is given."""
    response_format = response_format or job.params.get("response_format")
    if job.images_expired_at is not None:
        raise images_expired(job)
    data = []
    for image in job.images:
        if response_format == "b64_json":
            try:
                raw = context.jobs.image_bytes(image)
            except FileNotFoundError:  # its job is being deleted right now
                raise APIError(410, "This image has been deleted.", code="image_deleted") from None
            data.append(ImageData(b64_json=base64.b64encode(raw).decode()))
        else:
            data.append(ImageData(url=image_url(context, http, image)))
    return ImagesResponse(created=int(job.created_at.timestamp()), data=data)


def images_expired(job: Job) -> APIError:
    return APIError(
        410,
        f"The images of job {job.id} were deleted on {job.images_expired_at:%Y-%m-%d %H:%M} UTC: this deployment "
        "keeps images and uploads for a limited time (EASEL_RETENTION_DAYS). The job's record remains.",
        code="images_expired",
    )


def job_object(context: AppContext, http: Request, job: Job, response_format: str | None = None) -> JobObject:
    succeeded = job.status == JobStatus.succeeded.value
    expired = job.images_expired_at is not None
    return JobObject(
        id=job.id,
        operation=job.operation,
        model=job.model,
        status=job.status,
        progress=JobProgress(step=job.progress_step, total=job.progress_total),
        created_at=timestamp(job.created_at),
        started_at=timestamp(job.started_at),
        finished_at=timestamp(job.finished_at),
        attempts=job.attempts,
        params={**job.params, "prompt": job.prompt, "seed": job.seed},
        user=job.user,
        error=JobError(code=job.error_code, message=job.error_message) if job.error_code else None,
        result=images_response(context, http, job, response_format) if succeeded and not expired else None,
        images_expired_at=timestamp(job.images_expired_at),
    )


def raise_for_unfinished(job: Job, timeout: float) -> None:
    """Turn a job that did not succeed into the error a synchronous caller gets."""
    if job.status == JobStatus.succeeded.value:
        return
    if job.status == JobStatus.failed.value:
        if job.error_code == "content_policy_violation":
            raise policy_violation(job.error_message or "Your request was rejected by the content policy.")
        raise APIError(500, f"The job {job.id} failed: {job.error_message}", type="server_error", code=job.error_code)
    if job.status == JobStatus.cancelled.value:
        raise invalid(f"The job {job.id} was cancelled.", code="job_cancelled")
    raise APIError(
        504,
        f"The image is still being generated (job {job.id}, {job.status}) after {timeout:.0f}s. It keeps running; "
        f"follow it at /v1/jobs/{job.id}.",
        type="server_error",
        code="timeout",
    )

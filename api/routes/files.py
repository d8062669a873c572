"""Signed, expiring image URLs. The URL itself is the permission: no API key is needed to fetch it."""

import time

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import ContextDep, SessionDep
from api.presenting import images_expired
from core.errors import APIError, not_found
from core.tables import Image

router = APIRouter(prefix="/v1/files", tags=["files"])

MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


# HEAD as well as GET: link checkers, download managers and `curl -I` ask for the headers first. Two routes,
# each with its own operation id: one route with both methods gave the schema one id twice.
@router.head("/{image_id}/content", operation_id="image_content_head", response_class=Response)
@router.get(
    "/{image_id}/content",
    operation_id="image_content",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def image_content(
    image_id: str,
    context: ContextDep,
    session: SessionDep,
    expires: int = Query(..., ge=0, le=2**62),
    signature: str = Query(..., max_length=128),
):
    problem = context.services.signer.verify(image_id, expires, signature)
    if problem == "url_expired":
        raise APIError(403, "This image URL has expired; request the job again for a fresh URL.", code="url_expired")
    if problem is not None:
        raise APIError(403, "This image URL is not valid (its signature does not match).", code="invalid_signature")
    image = await run_in_threadpool(session.get, Image, image_id)
    if image is None:
        raise not_found("No such image (it was deleted, or never existed).")
    job = await run_in_threadpool(lambda: image.job)
    if job.images_expired_at is not None:
        raise images_expired(job)
    try:
        data = await run_in_threadpool(context.services.storage.get, image.storage_key)
    except FileNotFoundError:  # its job is being deleted right now
        raise APIError(410, "This image has been deleted.", code="image_deleted") from None
    return Response(
        data,
        media_type=MEDIA_TYPES.get(image.format, "application/octet-stream"),
        headers={"Cache-Control": f"private, max-age={max(0, expires - int(time.time()))}"},
    )

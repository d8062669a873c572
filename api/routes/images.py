"""The DALL·E 2 Images API: each call waits for its job and answers with the images."""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from api import parsing
from api.context import AppContext
from api.deps import ContextDep, SubmittingKey
from api.presenting import images_response, raise_for_unfinished
from api.schemas import CreateImageRequest, ImagesResponse
from core.service import JobRequest
from core.tables import ApiKey

router = APIRouter(prefix="/v1/images", tags=["images"])


async def _respond_when_done(context: AppContext, http: Request, key: ApiKey, request: JobRequest, uploads) -> ImagesResponse:
    job = await run_in_threadpool(context.jobs.submit, key, request, uploads, parsing.delivery(http))
    http.state.job_id = job.id
    timeout = context.settings.sync_timeout_seconds
    job = await context.jobs.wait(job.id, timeout)
    raise_for_unfinished(job, timeout)
    return await run_in_threadpool(images_response, context, http, job)


@router.post("/generations", response_model=ImagesResponse, response_model_exclude_none=True)
async def create_image(body: CreateImageRequest, http: Request, context: ContextDep, key: SubmittingKey):
    return await _respond_when_done(context, http, key, parsing.generation_request(context, body), [])


@router.post(
    "/edits",
    response_model=ImagesResponse,
    response_model_exclude_none=True,
    openapi_extra=parsing.multipart_openapi(with_prompt_and_mask=True),
)
async def create_image_edit(http: Request, context: ContextDep, key: SubmittingKey):
    request, uploads = await parsing.edit_request(context, http)
    return await _respond_when_done(context, http, key, request, uploads)


@router.post(
    "/variations",
    response_model=ImagesResponse,
    response_model_exclude_none=True,
    openapi_extra=parsing.multipart_openapi(with_prompt_and_mask=False),
)
async def create_image_variation(http: Request, context: ContextDep, key: SubmittingKey):
    request, uploads = await parsing.variation_request(context, http)
    return await _respond_when_done(context, http, key, request, uploads)

"""The DALL·E 2 Images API: each call waits for its job and answers with the images."""

from fastapi import APIRouter, Request

from api.deps import ContextDep, CurrentKey
from api.operations import edit_request, generation_request, multipart_openapi, variation_request
from api.schemas import CreateImageRequest, ImagesResponse
from api.submission import check_policy, check_rate_limit, run_sync

router = APIRouter(prefix="/v1/images", tags=["images"])


@router.post("/generations", response_model=ImagesResponse, response_model_exclude_none=True)
async def create_image(body: CreateImageRequest, http: Request, context: ContextDep, key: CurrentKey):
    check_rate_limit(context, key)
    request = generation_request(context, body)
    await check_policy(context, key, request, [])
    return await run_sync(context, http, key, request)


@router.post(
    "/edits",
    response_model=ImagesResponse,
    response_model_exclude_none=True,
    openapi_extra=multipart_openapi(with_prompt_and_mask=True),
)
async def create_image_edit(http: Request, context: ContextDep, key: CurrentKey):
    check_rate_limit(context, key)
    request, uploaded = await edit_request(context, http)
    await check_policy(context, key, request, uploaded)
    return await run_sync(context, http, key, request)


@router.post(
    "/variations",
    response_model=ImagesResponse,
    response_model_exclude_none=True,
    openapi_extra=multipart_openapi(with_prompt_and_mask=False),
)
async def create_image_variation(http: Request, context: ContextDep, key: CurrentKey):
    check_rate_limit(context, key)
    request, uploaded = await variation_request(context, http)
    await check_policy(context, key, request, uploaded)
    return await run_sync(context, http, key, request)

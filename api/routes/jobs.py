"""Async jobs, beyond OpenAI: submit and get a job id at once, poll it, follow it as server-sent events,
cancel it, list your own."""

from __future__ import annotations

import json
import time
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from api import parsing
from api.context import AppContext
from api.deps import ContextDep, CurrentKey, SubmittingKey
from api.presenting import job_object
from api.schemas import CreateImageRequest, JobList, JobObject
from core.service import JobRequest
from core.tables import ApiKey, JobStatus

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

SSE_KEEPALIVE_SECONDS = 15.0


async def _accepted(context: AppContext, http: Request, key: ApiKey, request: JobRequest, uploads) -> JobObject:
    job = await run_in_threadpool(context.jobs.submit, key, request, uploads, parsing.delivery(http))
    return await run_in_threadpool(job_object, context, http, job)  # a retry's finished job reads its images


@router.post("/generations", status_code=202, response_model=JobObject)
async def submit_generation(body: CreateImageRequest, http: Request, context: ContextDep, key: SubmittingKey):
    return await _accepted(context, http, key, parsing.generation_request(context, body), [])


@router.post(
    "/edits", status_code=202, response_model=JobObject, openapi_extra=parsing.multipart_openapi(with_prompt_and_mask=True)
)
async def submit_edit(http: Request, context: ContextDep, key: SubmittingKey):
    request, uploads = await parsing.edit_request(context, http)
    return await _accepted(context, http, key, request, uploads)


@router.post(
    "/variations",
    status_code=202,
    response_model=JobObject,
    openapi_extra=parsing.multipart_openapi(with_prompt_and_mask=False),
)
async def submit_variation(http: Request, context: ContextDep, key: SubmittingKey):
    request, uploads = await parsing.variation_request(context, http)
    return await _accepted(context, http, key, request, uploads)


@router.get("", response_model=JobList)
def list_jobs(
    http: Request,
    context: ContextDep,
    key: CurrentKey,
    limit: int = Query(20, ge=1, le=100),
    after: str | None = Query(None, max_length=64, description="a job id: list the jobs that follow it in this order"),
    order: Literal["desc", "asc"] = Query("desc", description="by creation time: newest first (desc) or oldest first"),
    status: JobStatus | None = None,
):
    page, has_more = context.jobs.list(key, limit=limit, after=after, order=order, status=status)
    # Results as URLs whatever each job asked for: a page of b64_json jobs would be every image of the page,
    # read from storage and inlined (up to 100 jobs of ten 1024x1024 images). GET the job for its own format.
    return JobList(
        data=[job_object(context, http, job, response_format="url") for job in page],
        first_id=page[0].id if page else None,
        last_id=page[-1].id if page else None,
        has_more=has_more,
    )


@router.get("/{job_id}", response_model=JobObject)
def get_job(job_id: str, http: Request, context: ContextDep, key: CurrentKey):
    return job_object(context, http, context.jobs.get(key, job_id))


@router.post("/{job_id}/cancel", response_model=JobObject)
def cancel_job(job_id: str, http: Request, context: ContextDep, key: CurrentKey):
    return job_object(context, http, context.jobs.cancel(key, job_id))


@router.get("/{job_id}/events", response_class=StreamingResponse, responses={200: {"content": {"text/event-stream": {}}}})
async def job_events(job_id: str, http: Request, context: ContextDep, key: CurrentKey):
    """Server-sent events: one per change of status or progress; the stream ends with the job."""
    await run_in_threadpool(context.jobs.get, key, job_id)

    def snapshot() -> tuple[tuple, dict, bool]:
        job = context.jobs.get(key, job_id)
        state = (job.status, job.progress_step, job.progress_total)
        return state, job_object(context, http, job).model_dump(mode="json", exclude_none=True), job.is_terminal

    def sse(state: tuple, payload: dict) -> str:
        return f"event: {state[0]}\ndata: {json.dumps(payload)}\n\n"

    async def stream():
        # Subscribe before the first read, so no event falls between the two.
        subscription = context.jobs.events.subscribe(job_id)
        try:
            state, payload, terminal = await run_in_threadpool(snapshot)
            yield sse(state, payload)
            last_state, last_sent = state, time.monotonic()
            while not terminal:
                event = await subscription.get(timeout=1.0)
                if event is not None and event.get("status") == JobStatus.running.value:
                    # Each sampling step as it happens, without a database read per step.
                    state = (event["status"], event.get("step", 0), event.get("total", 0))
                    if state != last_state:
                        payload = {"id": job_id, "object": "image.job", "status": state[0],
                                   "progress": {"step": state[1], "total": state[2]}}
                        yield sse(state, payload)
                        last_state, last_sent = state, time.monotonic()
                    continue
                # A status change, or a quiet second: the row says where the job is.
                state, payload, terminal = await run_in_threadpool(snapshot)
                # The row's progress is written once a second: behind the step events, it is not news.
                lagging = state[0] == last_state[0] == JobStatus.running.value and state[1] < last_state[1]
                if state != last_state and not lagging:
                    yield sse(state, payload)
                    last_state, last_sent = state, time.monotonic()
                elif time.monotonic() - last_sent > SSE_KEEPALIVE_SECONDS:
                    yield ": keep-alive\n\n"
                    last_sent = time.monotonic()
                if await http.is_disconnected():
                    return
        finally:
            subscription.close()

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

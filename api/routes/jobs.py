"""Async jobs, beyond OpenAI: submit and get a job id at once, poll it, follow it as server-sent events,
cancel it, list your own."""

from __future__ import annotations

import json
import operator
import time
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from api.context import AppContext
from api.deps import ContextDep, CurrentKey, SessionDep
from api.errors import invalid, not_found
from api.operations import edit_request, generation_request, multipart_openapi, variation_request
from api.schemas import CreateImageRequest, JobError, JobList, JobObject, JobProgress
from api.submission import check_policy, check_rate_limit, images_response, submit_job
from core import jobs

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

SSE_KEEPALIVE_SECONDS = 15.0


def _ts(value) -> int | None:
    return int(value.timestamp()) if value is not None else None


def job_object(context: AppContext, http: Request, job: jobs.Job, response_format: str | None = None) -> JobObject:
    succeeded = job.status == jobs.JobStatus.succeeded.value
    return JobObject(
        id=job.id,
        operation=job.operation,
        model=job.model,
        status=job.status,
        progress=JobProgress(step=job.progress_step, total=job.progress_total),
        created_at=_ts(job.created_at),
        started_at=_ts(job.started_at),
        finished_at=_ts(job.finished_at),
        attempts=job.attempts,
        params={**job.params, "prompt": job.prompt, "seed": job.seed},
        user=job.user,
        error=JobError(code=job.error_code, message=job.error_message) if job.error_code else None,
        result=images_response(context, http, job, response_format) if succeeded else None,
    )


def own_job(session, key: jobs.ApiKey, job_id: str) -> jobs.Job:
    job = session.get(jobs.Job, job_id)
    if job is None or job.api_key_id != key.id:
        raise not_found(f"No job found with id '{job_id}'.", "job_id")
    return job


async def _accepted(context: AppContext, http: Request, key: jobs.ApiKey, request, uploaded) -> JobObject:
    check_rate_limit(context, key)
    await check_policy(context, key, request, uploaded)
    job = await submit_job(context, http, key, request)
    return await run_in_threadpool(job_object, context, http, job)  # a retry's finished job reads its images


@router.post("/generations", status_code=202, response_model=JobObject)
async def submit_generation(body: CreateImageRequest, http: Request, context: ContextDep, key: CurrentKey):
    return await _accepted(context, http, key, generation_request(context, body), [])


@router.post(
    "/edits", status_code=202, response_model=JobObject, openapi_extra=multipart_openapi(with_prompt_and_mask=True)
)
async def submit_edit(http: Request, context: ContextDep, key: CurrentKey):
    request, uploaded = await edit_request(context, http)
    return await _accepted(context, http, key, request, uploaded)


@router.post(
    "/variations",
    status_code=202,
    response_model=JobObject,
    openapi_extra=multipart_openapi(with_prompt_and_mask=False),
)
async def submit_variation(http: Request, context: ContextDep, key: CurrentKey):
    request, uploaded = await variation_request(context, http)
    return await _accepted(context, http, key, request, uploaded)


@router.get("", response_model=JobList)
def list_jobs(
    http: Request,
    context: ContextDep,
    session: SessionDep,
    key: CurrentKey,
    limit: int = Query(20, ge=1, le=100),
    after: str | None = Query(None, max_length=64, description="a job id: list the jobs that follow it in this order"),
    order: Literal["desc", "asc"] = Query("desc", description="by creation time: newest first (desc) or oldest first"),
    status: jobs.JobStatus | None = None,
):
    query = select(jobs.Job).where(jobs.Job.api_key_id == key.id)
    if status is not None:
        query = query.where(jobs.Job.status == status.value)
    if after is not None:
        cursor = session.get(jobs.Job, after)
        if cursor is None or cursor.api_key_id != key.id:
            raise invalid(f"No job found with id '{after}'.", "after", "invalid_value")
        follows = operator.lt if order == "desc" else operator.gt
        query = query.where(
            follows(jobs.Job.created_at, cursor.created_at)
            | ((jobs.Job.created_at == cursor.created_at) & follows(jobs.Job.id, cursor.id))
        )
    sort = (jobs.Job.created_at, jobs.Job.id)
    rows = session.scalars(
        query.order_by(*(column.desc() if order == "desc" else column for column in sort)).limit(limit + 1)
    ).all()
    page = rows[:limit]
    # Results as URLs whatever each job asked for: a page of b64_json jobs would be every image of the page,
    # read from storage and inlined (up to 100 jobs of ten 1024x1024 images). GET the job for its own format.
    return JobList(
        data=[job_object(context, http, job, response_format="url") for job in page],
        first_id=page[0].id if page else None,
        last_id=page[-1].id if page else None,
        has_more=len(rows) > limit,
    )


@router.get("/{job_id}", response_model=JobObject)
def get_job(job_id: str, http: Request, context: ContextDep, session: SessionDep, key: CurrentKey):
    return job_object(context, http, own_job(session, key, job_id))


@router.post("/{job_id}/cancel", response_model=JobObject)
def cancel_job(job_id: str, http: Request, context: ContextDep, session: SessionDep, key: CurrentKey):
    own_job(session, key, job_id)
    job = jobs.request_cancel(session, job_id)
    if job.status == jobs.JobStatus.cancelled.value:
        context.events.publish(job_id, {"status": job.status, "step": job.progress_step, "total": job.progress_total})
    elif job.status == jobs.JobStatus.running.value:
        context.events.request_cancel(job_id)  # its worker stops at the next step
    return job_object(context, http, job)


@router.get("/{job_id}/events", response_class=StreamingResponse, responses={200: {"content": {"text/event-stream": {}}}})
async def job_events(job_id: str, http: Request, context: ContextDep, key: CurrentKey):
    """Server-sent events: one per change of status or progress; the stream ends with the job."""
    def check_owner() -> None:
        with context.services.sessions() as session:
            own_job(session, key, job_id)

    await run_in_threadpool(check_owner)

    def snapshot() -> tuple[tuple, dict, bool]:
        with context.services.sessions() as session:
            job = session.get(jobs.Job, job_id)
            state = (job.status, job.progress_step, job.progress_total)
            return state, job_object(context, http, job).model_dump(mode="json", exclude_none=True), job.is_terminal

    def sse(state: tuple, payload: dict) -> str:
        return f"event: {state[0]}\ndata: {json.dumps(payload)}\n\n"

    async def stream():
        # Subscribe before the first read, so no event falls between the two.
        subscription = context.events.subscribe(job_id)
        try:
            state, payload, terminal = await run_in_threadpool(snapshot)
            yield sse(state, payload)
            last_state, last_sent = state, time.monotonic()
            while not terminal:
                event = await subscription.get(timeout=1.0)
                if event is not None and event.get("status") == jobs.JobStatus.running.value:
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
                if state != last_state:
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

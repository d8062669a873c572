"""Celery tasks: thin wrappers that take a job id and run the same job code as the embedded mode."""

from __future__ import annotations

import logging

from celery import shared_task
from sqlalchemy import select

from core.logs import request_id_var
from core.tables import Job

log = logging.getLogger("easel.worker")


# A job whose run failed before it was claimed is tried again after this many seconds (doubling, capped).
RETRY_MAX_SECONDS = 60


@shared_task(bind=True, name="easel.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(self, job_id: str) -> str:
    from worker.celery_app import current_runner
    from worker.runner import RunResult

    runner = current_runner()
    try:
        with runner.sessions() as session:
            row = session.execute(select(Job.request_id, Job.status).where(Job.id == job_id)).first()
        if row is None:
            log.warning("no such job; message dropped", extra={"job_id": job_id})
            return RunResult.missing.value
        # The request that created the job, so its logs here join the API's under one request id.
        token = request_id_var.set(row.request_id)
        try:
            status = runner.run(job_id)
        finally:
            request_id_var.reset(token)
    except Exception as exc:
        # runner.run ends every job it claimed; what escapes came before the claim (the database unreachable,
        # say) and left the job queued while this message is used up: send it again, later, until it runs.
        log.warning("job not started (%s); retrying", exc, extra={"job_id": job_id})
        raise self.retry(exc=exc, countdown=min(RETRY_MAX_SECONDS, 2**self.request.retries), max_retries=None)
    if status is RunResult.skipped:
        # Finished, cancelled, or held by another worker's lease (a duplicate or early redelivery). If that
        # worker is dead, its lease runs out and the re-dispatcher sends the job again: nothing is dropped.
        log.info("job not claimed here (was %s)", row.status, extra={"job_id": job_id})
    return status.value

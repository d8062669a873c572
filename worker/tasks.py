"""Celery tasks: thin wrappers that take a job id and run the same job code as the embedded mode."""

from __future__ import annotations

import logging

from celery import shared_task
from sqlalchemy import select

from core import jobs
from core.logs import request_id_var

log = logging.getLogger("easel.worker")


@shared_task(name="easel.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: str) -> str:
    from worker.celery_app import current_runner

    runner = current_runner()
    with runner.sessions() as session:
        row = session.execute(select(jobs.Job.request_id, jobs.Job.status).where(jobs.Job.id == job_id)).first()
    if row is None:
        log.warning("no such job; message dropped", extra={"job_id": job_id})
        return "missing"
    # The request that created the job, so its logs here join the API's under one request id.
    token = request_id_var.set(row.request_id)
    try:
        status = runner.run(job_id)
        if status == "skipped":
            # Finished, cancelled, or held by another worker's lease (a duplicate or early redelivery). If that
            # worker is dead, its lease runs out and the re-dispatcher sends the job again: nothing is dropped.
            log.info("job not claimed here (was %s)", row.status, extra={"job_id": job_id})
        return status
    finally:
        request_id_var.reset(token)

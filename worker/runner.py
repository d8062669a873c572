"""The job logic: load a job, claim it, run the model, check and store the outputs, record the result.

Plain Python, callable without Celery: the embedded worker thread, the Celery task and the tests all call
``JobRunner.run(job_id)``.
"""

from __future__ import annotations

import enum
import io
import logging
import os
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator

import numpy as np
from PIL import Image as PILImage
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from core import jobs, rejections
from core.config import Settings
from core.events import JobEvents
from core.images import encode_image
from core.services import Services
from core.storage import Storage
from core.tables import Job, JobStatus, Operation, sha256_hex
from models.backend import BackendRequest, JobCancelled, run_batch
from models.registry import BackendPool

if TYPE_CHECKING:
    from safety import ContentPolicy

log = logging.getLogger("easel.worker")

class RunResult(str, enum.Enum):
    """How a run of a job ended, as the worker saw it: the job's final status, or why it did not run here."""

    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"
    skipped = "skipped"  # not ours to run: finished, cancelled, or held by another worker's lease
    missing = "missing"  # no such job (a message for a job that was never committed)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


# Progress is written to the job row (which renews the lease and reads its cancel flag) at most this often;
# every step still goes out as an event and still checks for a cancel signal.
PROGRESS_WRITE_SECONDS = 1.0


# While waiting for company (batch_wait_ms > 0), the queued jobs are looked for this often.
BATCH_POLL_SECONDS = 0.01


def job_fields(job: Job, **fields) -> dict:
    """A log record's extra fields for one job. Its own request id: a batch runs under its first job's (the
    Celery task sets that one), and a companion's lines must join the request that created the companion."""
    return {"job_id": job.id, "request_id": job.request_id, **fields}


def image_key(job_id: str, index: int, output_format: str) -> str:
    return f"outputs/{job_id}/{index}.{output_format}"


@dataclass
class JobRunner:
    sessions: sessionmaker[Session]
    storage: Storage
    backends: BackendPool
    policy: "ContentPolicy"
    settings: Settings
    events: JobEvents | None = None
    worker_id: str = ""

    def __post_init__(self) -> None:
        self.worker_id = self.worker_id or default_worker_id()

    def _publish(self, job_id: str, status: str, step: int = 0, total: int = 0) -> None:
        if self.events is not None:
            self.events.publish(job_id, {"status": status, "step": step, "total": total})

    def run(self, job_id: str) -> RunResult:
        """Run one job to its end (with whatever company it finds, see run_batch) and say how it ended."""
        return self.run_batch(job_id)[job_id]

    def run_batch(self, job_id: str) -> dict[str, RunResult]:
        """Claim the job, then compatible queued jobs to share its model call (claim_companions), run them
        together and end each on its own: its own lease, events, cancel, content check and stored images.

        A companion's own message (Celery) or queue entry (embedded) finds it claimed and is dropped; a worker
        that dies mid-batch leaves every job of it to be rerun when its lease runs out. Returns each job's end.
        """
        with self.sessions() as session:
            job = jobs.claim_job(session, job_id, self.worker_id, self.settings.job_lease_seconds)
        if job is None:
            return {job_id: RunResult.skipped}
        batch = [job]
        try:
            batch += self.claim_companions(job)
        except Exception:  # company is a bonus: the job we hold runs anyway
            log.exception("looking for jobs to batch with failed", extra={"job_id": job_id})
        return self._run_claimed(batch)

    def claim_companions(self, first: Job) -> list[Job]:
        """Queued jobs that can share `first`'s model call, claimed (each with its own lease), oldest first, up to
        max_batch_images images in all; waits up to batch_wait_ms for them, and not at all when that is 0."""
        limit = self.settings.max_batch_images
        backend = self.backends.get(first.model)
        if first.operation not in getattr(backend, "batch_operations", ()) or first.params["n"] >= limit:
            return []
        images, found = first.params["n"], []
        deadline = time.monotonic() + self.settings.batch_wait_ms / 1000
        while True:
            with self.sessions() as session:
                claimed = jobs.claim_compatible(
                    session, first, self.worker_id, self.settings.job_lease_seconds, room=limit - images
                )
            found += claimed
            images += sum(job.params["n"] for job in claimed)
            remaining = deadline - time.monotonic()
            if images >= limit or remaining <= 0:
                return found
            time.sleep(min(BATCH_POLL_SECONDS, remaining))

    def _run_claimed(self, batch: list[Job]) -> dict[str, RunResult]:
        ended: dict[str, RunResult] = {}
        for job in batch:
            self._publish(job.id, JobStatus.running.value)
            log.info("job started",
                     extra=job_fields(job, attempt=job.attempts, worker_id=self.worker_id, batch=len(batch)))
        first = batch[0]
        try:
            with ExitStack() as stack:
                requests, running = [], []
                for job in batch:
                    try:
                        progress = self._ending_on_cancel(job, stack.enter_context(self._progress(job)), ended)
                        requests.append(self._request(job, progress))
                        running.append(job)
                    except Exception as exc:  # this job's inputs, say: the others go on
                        log.exception("job failed", extra=job_fields(job))
                        ended[job.id] = self._end_failed(job, "The model failed", exc)
                outputs = run_batch(self.backends.get(first.model), first.operation, requests) if running else []
        except JobCancelled as stopped:  # a backend that let a cancel through: every job still running stopped
            outputs = [stopped] * len(running)
        except Exception as exc:  # one model call for all: its failure fails every job of the batch
            log.exception("batch failed" if len(batch) > 1 else "job failed", extra=job_fields(first))
            for job in running:
                if job.id not in ended:
                    ended[job.id] = self._end_failed(job, "The model failed", exc)
            outputs = []
        for job, output in zip(running, outputs):
            if job.id in ended:
                continue
            if isinstance(output, JobCancelled):
                ended[job.id] = self._end_cancelled(job, output)
                continue
            try:
                status = self._store_outputs(job, output)
            except Exception as exc:  # this job's images; the other jobs' are stored on their own
                log.exception("job failed", extra=job_fields(job))
                ended[job.id] = self._end_failed(job, "Checking or storing the images failed", exc)
                continue
            ended[job.id] = self._ended(job, status)
        return ended

    def _ending_on_cancel(self, job: Job, progress: Callable[[int, int], None], ended: dict[str, RunResult]):
        """A cancelled job ends at once, not when the rest of its batch does; the backend then drops it."""

        def checked(step: int, total: int) -> None:
            try:
                progress(step, total)
            except JobCancelled as stopped:
                ended[job.id] = self._end_cancelled(job, stopped)
                raise

        return checked

    def _end_cancelled(self, job: Job, stopped: JobCancelled) -> RunResult:
        with self.sessions() as session:
            ours = jobs.mark_cancelled(session, job.id, self.worker_id, stopped.step, stopped.total)
        return self._ended(job, RunResult.cancelled if ours else RunResult.skipped)

    def _end_failed(self, job: Job, failing: str, exc: Exception) -> RunResult:
        with self.sessions() as session:
            ours = jobs.fail_job(session, job.id, "generation_failed", f"{failing}: {exc}", self.worker_id)
        return self._ended(job, RunResult.failed if ours else RunResult.skipped)

    def _ended(self, job: Job, status: RunResult) -> RunResult:
        if status is not RunResult.skipped:  # a job taken over by another worker still needs its inputs
            self._publish(job.id, status.value)
            self._delete_inputs(job)
        log.info("job finished", extra=job_fields(job, status=status.value))
        return status

    @contextmanager
    def _progress(self, job: Job) -> Iterator[Callable[[int, int], None]]:
        """The per-step callback: publish the step, write it to the row now and then, stop if cancelled.

        A cancel signal (core/events.py) stops the job at its next step; the row, written and read once a
        second, stops it too when a signal was lost, or when the job is no longer ours. One session serves the
        whole job. A database error here does not end the job: the step goes unrecorded and sampling goes on
        (finishing the job needs the database anyway, and a job that cannot be finished is rerun when its lease
        runs out).
        """
        last_write = [time.monotonic()]  # the claim has just renewed the lease
        with self.sessions() as session:

            def keep_going(step: int, total: int) -> bool:
                if self.events is not None and self.events.cancel_requested(job.id):
                    return False
                now = time.monotonic()
                if now - last_write[0] < PROGRESS_WRITE_SECONDS and step < total:
                    return True
                last_write[0] = now
                try:
                    wanted = jobs.record_progress(
                        session, job.id, self.worker_id, step, total, self.settings.job_lease_seconds
                    )
                    session.rollback()  # end the read, so the session holds no transaction open between steps
                    return wanted
                except SQLAlchemyError as exc:
                    log.warning("progress not recorded (database): %s", exc, extra=job_fields(job))
                    session.rollback()
                    return True

            def progress(step: int, total: int) -> None:
                wanted = keep_going(step, total)
                self._publish(job.id, JobStatus.running.value, step, total)
                if not wanted:
                    raise JobCancelled(job.id, step, total)

            yield progress

    def _request(self, job: Job, progress: Callable[[int, int], None]) -> BackendRequest:
        params = job.params
        inputs = {}
        if job.input_key:
            inputs["image"] = PILImage.open(io.BytesIO(self.storage.get(job.input_key))).convert("RGB")
        if job.mask_key:
            mask = PILImage.open(io.BytesIO(self.storage.get(job.mask_key))).convert("L")
            inputs["mask"] = np.asarray(mask, dtype=np.float32) / 255.0  # BackendRequest binarises it
        request = BackendRequest(
            prompt=job.prompt or "",
            n=params["n"],
            size=params["size"],
            seed=job.seed,
            steps=params.get("steps"),
            guidance_scale=params.get("guidance_scale"),
            progress=progress,
            **inputs,
        )
        Operation(job.operation)  # an unknown operation fails here, for this job only
        return request

    def _store_outputs(self, job: Job, images: list[PILImage.Image]) -> RunResult:
        output_format = job.params.get("output_format", "png")
        compression = job.params.get("output_compression")
        # Encoding runs alongside the content check (each leaves the GIL to its C code): ~20 ms less a job of
        # four. A blocked image's bytes are dropped, never stored.
        with ThreadPoolExecutor(max_workers=1) as encoder:
            encoded = [encoder.submit(encode_image, image, output_format, compression) for image in images]
            decisions = self.policy.check_outputs(images)
        records, blocked = [], 0
        for image, decision, encoding in zip(images, decisions, encoded):
            if not decision.allowed:
                blocked += 1
                with self.sessions() as session:
                    rejections.record_refusal(
                        session,
                        self.policy,
                        api_key_id=job.api_key_id,
                        job_id=job.id,
                        operation=job.operation,
                        stage="output",
                        category=decision.category,
                        check=decision.check,
                        prompt=job.prompt,
                    )
                continue
            data = encoding.result()
            index = len(records)
            key = image_key(job.id, index, output_format)
            self.storage.put(key, data)
            records.append(
                dict(
                    index=index,
                    storage_key=key,
                    width=image.width,
                    height=image.height,
                    format=output_format,
                    sha256=sha256_hex(data),
                )
            )
        with self.sessions() as session:
            if not records:
                failed = jobs.fail_job(
                    session,
                    job.id,
                    "content_policy_violation",
                    "Every generated image was blocked by the content policy.",
                    self.worker_id,
                )
                return RunResult.failed if failed else RunResult.skipped
            if jobs.finish_job(session, job.id, self.worker_id, records, blocked):
                return RunResult.succeeded
        # Another worker took the job over (our lease ran out); its result stands.
        return RunResult.skipped

    def _delete_inputs(self, job: Job) -> None:
        for key in (job.input_key, job.mask_key):
            if key:
                try:
                    self.storage.delete(key)
                except Exception as exc:  # the job's result stands; the retention sweep or DELETE removes it later
                    log.warning("upload not deleted: %s", exc, extra=job_fields(job))


def build_runner(settings: Settings, services: Services, events: JobEvents | None) -> JobRunner:
    """The one way a process assembles its runner (the embedded worker and each Celery worker process)."""
    from models.registry import load_backend
    from safety import get_policy

    policy = get_policy(settings.policy_file)
    policy.warm_up()  # load the filters' models now, not during someone's first job
    return JobRunner(
        sessions=services.sessions,
        storage=services.storage,
        backends=BackendPool(lambda name: load_backend(name, settings)),
        policy=policy,
        settings=settings,
        events=events,
    )

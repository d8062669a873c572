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
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
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
from models.backend import Backend, BackendRequest, JobCancelled

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


class BackendPool:
    """One loaded model per name, per process; loading is slow, so it happens once."""

    def __init__(self, loader: Callable[[str], Backend]):
        self._loader = loader
        self._backends: dict[str, Backend] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> Backend:
        with self._lock:
            if name not in self._backends:
                self._backends[name] = self._loader(name)
            return self._backends[name]


# Progress is written to the job row (which renews the lease and reads its cancel flag) at most this often;
# every step still goes out as an event and still checks for a cancel signal.
PROGRESS_WRITE_SECONDS = 1.0


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
        """Run one job to its end and say how it ended."""
        with self.sessions() as session:
            job = jobs.claim_job(session, job_id, self.worker_id, self.settings.job_lease_seconds)
        if job is None:
            return RunResult.skipped
        self._publish(job_id, JobStatus.running.value)
        log.info("job started", extra={"job_id": job_id, "attempt": job.attempts, "worker_id": self.worker_id})
        failing = "The model failed"  # what the reason will say, should the stage under way raise
        try:
            with self._progress(job_id) as progress:
                images = self._run_model(job, progress)
            failing = "Checking or storing the images failed"
            status = self._store_outputs(job, images)
        except JobCancelled as stopped:
            with self.sessions() as session:
                ours = jobs.mark_cancelled(session, job_id, self.worker_id, stopped.step, stopped.total)
            status = RunResult.cancelled if ours else RunResult.skipped
        except Exception as exc:  # the job ends failed with a reason; the worker lives on
            log.exception("job failed", extra={"job_id": job_id})
            with self.sessions() as session:
                ours = jobs.fail_job(session, job_id, "generation_failed", f"{failing}: {exc}", self.worker_id)
            status = RunResult.failed if ours else RunResult.skipped
        if status is not RunResult.skipped:  # a job taken over by another worker still needs its inputs
            self._publish(job_id, status.value)
            self._delete_inputs(job)
        log.info("job finished", extra={"job_id": job_id, "status": status.value})
        return status

    @contextmanager
    def _progress(self, job_id: str) -> Iterator[Callable[[int, int], None]]:
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
                if self.events is not None and self.events.cancel_requested(job_id):
                    return False
                now = time.monotonic()
                if now - last_write[0] < PROGRESS_WRITE_SECONDS and step < total:
                    return True
                last_write[0] = now
                try:
                    wanted = jobs.record_progress(
                        session, job_id, self.worker_id, step, total, self.settings.job_lease_seconds
                    )
                    session.rollback()  # end the read, so the session holds no transaction open between steps
                    return wanted
                except SQLAlchemyError as exc:
                    log.warning("progress not recorded (database): %s", exc, extra={"job_id": job_id})
                    session.rollback()
                    return True

            def progress(step: int, total: int) -> None:
                wanted = keep_going(step, total)
                self._publish(job_id, JobStatus.running.value, step, total)
                if not wanted:
                    raise JobCancelled(job_id, step, total)

            yield progress

    def _run_model(self, job: Job, progress: Callable[[int, int], None]) -> list[PILImage.Image]:
        backend = self.backends.get(job.model)
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
        run = {Operation.generate: backend.generate, Operation.edit: backend.edit, Operation.vary: backend.vary}
        return run[Operation(job.operation)](request)

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
                    log.warning("upload not deleted: %s", exc, extra={"job_id": job.id})


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

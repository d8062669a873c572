"""The embedded default: jobs run on a thread inside the API process. No Redis, no separate worker."""

from __future__ import annotations

import fcntl
import logging
import queue
import threading
from pathlib import Path
from typing import IO

from core import jobs
from core.dispatch import redispatch_pending
from core.retention import RetentionSweep
from worker.runner import JobRunner

log = logging.getLogger("easel.worker")


class DataDirInUse(RuntimeError):
    pass


def claim_data_dir(data_dir: Path) -> IO:
    """Hold an exclusive lock on the data folder for as long as the returned file stays open.

    The embedded worker takes over every job it finds running or queued when it starts; a second
    `easel serve` on the same folder would take the first one's jobs into a queue that dies with it.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(data_dir / "embedded-worker.lock", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise DataDirInUse(
            f"Another `easel serve` is already running on {data_dir.resolve()}: stop it first, "
            "or give this one its own EASEL_DATA_DIR."
        ) from None
    return handle


class EmbeddedWorker:
    """A Dispatcher whose queue is in memory; the job rows in the database are what survives a restart."""

    def __init__(self, runner: JobRunner, recovery_interval: float = 10.0):
        self.runner = runner
        self.recovery_interval = recovery_interval
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._data_dir_lock: IO | None = None
        self._retry: set[str] = set()  # jobs whose run failed before anything claimed them
        self._retry_lock = threading.Lock()
        self.retention = RetentionSweep(runner.sessions, runner.storage, runner.settings)

    def dispatch(self, job_id: str, model: str) -> None:
        self._queue.put(job_id)

    def ping(self) -> None:
        """The queue is in this process: it takes work whenever the process is up."""

    def queue_lengths(self, models: list[str]) -> dict[str, int]:
        return {}  # no broker queue; the database's queued jobs are /metrics' queue depth

    def start(self) -> None:
        self._data_dir_lock = claim_data_dir(self.runner.settings.data_dir)  # before touching any job
        sessions = self.runner.sessions
        with sessions() as session:
            jobs.reset_for_sole_worker(session)
        redispatch_pending(sessions, self, self.runner.settings.max_attempts, min_age_seconds=0)
        self._threads = [
            threading.Thread(target=self._work, name="easel-worker", daemon=True),
            threading.Thread(target=self._recover, name="easel-recovery", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)
        if self._data_dir_lock is not None:
            self._data_dir_lock.close()  # releases the lock
            self._data_dir_lock = None

    def _work(self) -> None:
        try:  # load the default model before the first job asks for it
            self.runner.backends.get(self.runner.settings.resolved_default_model)
        except Exception:  # the job that needs it will fail with the reason
            log.exception("could not load the default model")
        while not self._stop.is_set():
            job_id = self._queue.get()
            if job_id is None:
                break
            try:
                self.runner.run(job_id)
            except Exception:  # never let one job take the worker thread down
                # runner.run ends every job it claimed; what escapes it came before the claim (the database
                # unreachable, say), so the job is still queued but no longer in our queue: try it again later.
                log.exception("worker error; the job will be retried", extra={"job_id": job_id})
                with self._retry_lock:
                    self._retry.add(job_id)

    def _recover(self) -> None:
        while not self._stop.wait(self.recovery_interval):
            with self._retry_lock:
                retry, self._retry = self._retry, set()
            for job_id in retry:
                self._queue.put(job_id)
            try:
                redispatch_pending(self.runner.sessions, self, self.runner.settings.max_attempts)
            except Exception:
                log.exception("recovery pass failed")
            try:
                self.retention.run_if_due()
            except Exception:  # the store or the database is down: the next pass tries again
                log.exception("retention sweep failed")

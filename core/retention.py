"""Deleting what a job stored: for its owner (DELETE /v1/jobs/{id}, api/routes/studio.py) and after
EASEL_RETENTION_DAYS (the sweep).

The files go first, then the rows (or the mark): should the store fail half-way, the job is still there to be
deleted again (deleting a key that is already gone is not an error), and no file is left without a row.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from core import jobs
from core.tables import Job, utcnow
from core.config import Settings
from core.storage import Storage

log = logging.getLogger("easel.retention")

SWEEP_BATCH = 200


def stored_keys(job: Job) -> list[str]:
    return [image.storage_key for image in job.images] + [key for key in (job.input_key, job.mask_key) if key]


def delete_stored_files(storage: Storage, job: Job) -> None:
    for key in stored_keys(job):
        storage.delete(key)


class RetentionSweep:
    """Deletes the images and uploads of jobs that finished more than `retention_days` ago; the jobs stay,
    marked with images_expired_at. Run by one node at a time: the embedded worker's recovery thread, or the
    distributed re-dispatcher's leader."""

    def __init__(self, sessions: sessionmaker[Session], storage: Storage, settings: Settings):
        self.sessions = sessions
        self.storage = storage
        self.retention = timedelta(days=settings.retention_days) if settings.retention_days > 0 else None
        self.interval = settings.retention_sweep_interval_seconds
        self._last_run: float | None = None

    def run_if_due(self) -> int:
        if self.retention is None:
            return 0
        now = time.monotonic()
        if self._last_run is not None and now - self._last_run < self.interval:
            return 0
        self._last_run = now
        return self.run_once()

    def run_once(self) -> int:
        """One pass. Returns how many jobs' files were deleted."""
        if self.retention is None:
            return 0
        expired = 0
        while True:
            with self.sessions() as session:
                batch = jobs.jobs_to_expire(session, utcnow() - self.retention, SWEEP_BATCH)
                for job in batch:
                    delete_stored_files(self.storage, job)  # StorageUnavailable: the next pass tries again
                    jobs.mark_images_expired(session, job.id)
                    expired += 1
            if len(batch) < SWEEP_BATCH:
                break
        if expired:
            log.info("retention: deleted the images and uploads of %d job(s)", expired)
        return expired

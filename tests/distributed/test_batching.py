"""Cross-request batching with Celery: a worker that receives one job's message claims the other compatible queued
jobs from the database (their own messages then find them taken), and a worker killed mid-batch leaves every job
of the batch to be rerun, none lost, none finished twice. The model is the tiny unclip (it samples a batch as one)."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for
from tests.distributed.conftest import UNSERVED_MODEL as BATCHING_MODEL

pytestmark = [pytest.mark.distributed, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

ENDED = {"succeeded", "failed", "cancelled"}


def submit_batch(dist, steps: int) -> list[str]:
    ids = [dist.submit(steps=steps, seed=40 + i, model=BATCHING_MODEL, prompt=f"a star {i}")["id"] for i in range(3)]
    dist.wait_for_queue(BATCHING_MODEL, 3)  # three messages, and no worker for them yet
    return ids


def assert_each_succeeded_once(dist, ids: list[str], attempts: int) -> None:
    for job_id in ids:
        row = dist.job(job_id)
        assert row.status == "succeeded", (row.status, row.error_message)
        assert row.attempts == attempts
        assert len(dist.images(job_id)) == 1 and len(dist.output_files(job_id)) == 1, "one set of images"
    # Every message was consumed (the companions' as no-ops): the next tests find this queue empty.
    dist.wait_for_queue(BATCHING_MODEL, 0)


def test_a_worker_batches_jobs_that_arrived_as_separate_messages(dist):
    ids = submit_batch(dist, steps=4)
    worker = dist.start_worker(model=BATCHING_MODEL)
    for job_id in ids:
        dist.wait_status(job_id, ENDED, timeout=120)
    assert_each_succeeded_once(dist, ids, attempts=1)
    started = [line for line in worker.log_lines() if line.get("message") == "job started"]
    assert sorted(line["job_id"] for line in started) == sorted(ids)
    assert [line["batch"] for line in started] == [3, 3, 3], "one batch, from the first message"
    assert len({dist.job(job_id).worker_id for job_id in ids}) == 1


def test_a_worker_killed_mid_batch_leaves_every_job_to_be_rerun_once(dist):
    ids = submit_batch(dist, steps=200)
    first = dist.start_worker(model=BATCHING_MODEL)

    def all_running():
        rows = [dist.job(job_id) for job_id in ids]
        return all(r.status == "running" and r.attempts == 1 and r.progress_step >= 2 for r in rows) and rows

    rows = wait_for(all_running, 120, "the three jobs to run together", interval=0.1)
    assert len({r.worker_id for r in rows}) == 1
    assert dist.worker_running(ids[0]) is first
    first.kill()  # SIGKILL, mid-sampling: nothing cleaned up

    for job_id in ids:
        killed = dist.job(job_id)
        assert killed.status == "running" and killed.progress_step < killed.progress_total
    # The jobs come back JOB_LEASE_SECONDS after their last step. Their rerun is their last attempt: its worker
    # holds longer leases, so that a fresh process's first, slow sampling step on a loaded 2-core machine does
    # not count as a death (a lease is renewed at each step; the batch's first step compiles new kernel shapes).
    dist.start_worker(model=BATCHING_MODEL, env={"EASEL_JOB_LEASE_SECONDS": "60"})
    for job_id in ids:
        dist.wait_status(job_id, ENDED, timeout=180)
    assert_each_succeeded_once(dist, ids, attempts=2)

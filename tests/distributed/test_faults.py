"""Nothing accepted is lost: a worker killed mid-job, Redis down at submission, a job whose workers keep dying."""

from __future__ import annotations

import hashlib

import pytest

from tests.distributed.conftest import MAX_ATTEMPTS

pytestmark = [pytest.mark.distributed, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sigkill_mid_job_is_redelivered_and_succeeds_once_with_the_same_seed(dist):
    first = dist.start_worker()
    long_job = dist.submit(steps=40, seed=1234)
    others = [dist.submit(steps=3, seed=10 + i, prompt=f"a cat {i}") for i in range(2)]
    dist.wait_running(long_job["id"], min_step=3, timeout=120)
    assert dist.worker_running(long_job["id"]) is first

    first.kill()  # SIGKILL: the Celery parent and its pool process, mid-sampling, nothing cleaned up
    killed = dist.job(long_job["id"])
    assert killed.status == "running" and killed.attempts == 1 and killed.progress_step < killed.progress_total

    dist.start_worker()
    for job in [long_job, *others]:
        dist.wait_status(job["id"], {"succeeded", "failed", "cancelled"}, timeout=120)

    done = dist.job(long_job["id"])
    assert done.status == "succeeded"
    assert done.attempts == 2, "the killed attempt and the one that finished"
    assert done.seed == 1234
    for job in [long_job, *others]:
        row = dist.job(job["id"])
        assert row.status == "succeeded", (row.status, row.error_message)
        assert len(dist.images(job["id"])) == 1, "exactly one set of images"
        assert len(dist.output_files(job["id"])) == 1
    for job in others:
        assert dist.job(job["id"]).attempts == 1

    # Same seed, same images: a fresh run of the same request reproduces the redelivered job's output.
    again = dist.submit(steps=40, seed=1234)
    assert dist.wait_status(again["id"], {"succeeded", "failed"}, timeout=60).status == "succeeded"
    [redelivered], [fresh] = dist.output_files(long_job["id"]), dist.output_files(again["id"])
    assert sha(redelivered) == sha(fresh)
    assert dist.images(long_job["id"])[0].sha256 == sha(redelivered)


def test_job_on_dead_workers_is_retried_then_failed_after_max_attempts(dist):
    # Two workers up front: when one dies, the other takes the job over without a start-up wait.
    workers = [dist.start_worker(), dist.start_worker()]
    job = dist.submit(steps=60, seed=7)

    for attempt in range(1, MAX_ATTEMPTS + 1):
        dist.wait_running(job["id"], min_step=2, attempt=attempt, timeout=120)
        holder = dist.worker_running(job["id"])
        holder.kill()
        workers.remove(holder)
        if attempt < MAX_ATTEMPTS:
            assert workers and workers[0].alive()

    failed = dist.wait_status(job["id"], {"failed", "succeeded"}, timeout=60)
    assert failed.status == "failed"
    assert failed.error_code == "worker_lost"
    assert failed.attempts == MAX_ATTEMPTS
    assert dist.images(job["id"]) == [] and dist.output_files(job["id"]) == []
    response = dist.http.get(f"/v1/jobs/{job['id']}")
    assert response.json()["error"]["code"] == "worker_lost"


def test_redis_down_at_submission_jobs_are_recorded_then_run_once(dist):
    worker = dist.start_worker()
    warm = dist.submit(steps=2)
    dist.wait_status(warm["id"], {"succeeded"}, timeout=120)  # the worker is up and consuming

    dist.redis.stop()
    ready = dist.http.get("/readyz")
    assert ready.status_code == 503 and "broker" in ready.json()["problems"]

    accepted = [dist.submit(steps=3, seed=100 + i, prompt=f"outage {i}") for i in range(3)]
    for job in accepted:
        assert job["status"] == "queued"
        row = dist.job(job["id"])
        assert row.status == "queued" and row.dispatched_at is None, "recorded, waiting in the outbox"

    dist.redis.start()
    assert dist.http.get("/readyz").status_code == 200
    for job in accepted:
        dist.wait_status(job["id"], {"succeeded", "failed", "cancelled"}, timeout=120)

    started = [line["job_id"] for line in worker.log_lines() if line.get("message") == "job started"]
    for job in accepted:
        row = dist.job(job["id"])
        assert row.status == "succeeded", (row.status, row.error_message)
        assert row.attempts == 1 and started.count(job["id"]) == 1, "run exactly once"
        assert len(dist.images(job["id"])) == 1 and len(dist.output_files(job["id"])) == 1
    assert worker.alive()

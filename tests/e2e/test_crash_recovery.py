"""`easel serve` killed mid-job: its accepted jobs survive in the database and finish after a restart."""

from __future__ import annotations

import time

import httpx

from tests.e2e.conftest import Server


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_server_finishes_its_jobs_after_a_restart(tmp_path):
    first = Server(tmp_path, {})
    auth = {"Authorization": f"Bearer {first.api_key}"}
    body = {"prompt": "a red circle", "size": "256x256", "n": 2, "steps": 200}  # long enough to kill it midway
    try:
        running = httpx.post(f"{first.base_url}/v1/jobs/generations", json=body, headers=auth).json()
        queued = httpx.post(f"{first.base_url}/v1/jobs/generations", json={**body, "steps": 5}, headers=auth).json()

        def midway():
            job = httpx.get(f"{first.base_url}/v1/jobs/{running['id']}", headers=auth).json()
            return job["status"] == "running" and job["progress"]["step"] >= 20

        wait_for(midway, 120, "the first job to be well into sampling")
        first.process.kill()  # SIGKILL: no shutdown code runs
        first.process.wait(10)
    finally:
        first.stop()

    second = Server(tmp_path, {})
    try:
        def finished(job_id):
            job = httpx.get(f"{second.base_url}/v1/jobs/{job_id}", headers=auth).json()
            return job if job["status"] in ("succeeded", "failed", "cancelled") else None

        for submitted, attempts in ((running, 2), (queued, 1)):
            job = wait_for(lambda: finished(submitted["id"]), 180, f"job {submitted['id']} to end")
            assert job["status"] == "succeeded", job
            assert job["attempts"] == attempts
            assert job["params"]["seed"] == submitted["params"]["seed"]
            assert len(job["result"]["data"]) == 2  # one set of images, not one per attempt
    finally:
        second.stop()

"""`easel serve` killed or stopped mid-job: its accepted jobs survive in the database and finish after a restart."""

from __future__ import annotations

import threading
import time

import httpx

from tests.conftest import wait_for
from tests.e2e.conftest import Server


def test_killed_server_finishes_its_jobs_after_a_restart(tmp_path):
    first = Server(tmp_path, {})
    auth = {"Authorization": f"Bearer {first.api_key}"}
    body = {"prompt": "a red circle", "size": "256x256", "n": 2, "steps": 60}  # long enough to kill it midway
    try:
        running = httpx.post(f"{first.base_url}/v1/jobs/generations", json=body, headers=auth).json()
        queued = httpx.post(f"{first.base_url}/v1/jobs/generations", json={**body, "steps": 5}, headers=auth).json()

        def midway():
            job = httpx.get(f"{first.base_url}/v1/jobs/{running['id']}", headers=auth).json()
            return job["status"] == "running" and job["progress"]["step"] >= 20

        wait_for(midway, 120, "the first job to be well into sampling", interval=0.1)
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
            job = wait_for(lambda: finished(submitted["id"]), 180, f"job {submitted['id']} to end", interval=0.1)
            assert job["status"] == "succeeded", job
            assert job["attempts"] == attempts
            assert job["params"]["seed"] == submitted["params"]["seed"]
            assert len(job["result"]["data"]) == 2  # one set of images, not one per attempt
    finally:
        second.stop()


def test_sigterm_stops_the_server_while_a_request_still_waits(tmp_path):
    """A synchronous request waits for its job; SIGTERM must not wait for it (up to the 15-minute sync timeout)."""
    server = Server(tmp_path, {})
    auth = {"Authorization": f"Bearer {server.api_key}"}
    long_job = {"prompt": "a red circle", "size": "256x256", "n": 2, "steps": 60}
    try:
        running = httpx.post(f"{server.base_url}/v1/jobs/generations", json=long_job, headers=auth).json()
        def wait_for_images():  # queued behind the long job: it will not run before the server stops
            try:
                httpx.post(f"{server.base_url}/v1/images/generations", json={**long_job, "steps": 5}, headers=auth,
                           timeout=None)
            except httpx.HTTPError:  # the server closed the connection: expected
                pass

        waiter = threading.Thread(target=wait_for_images, daemon=True)
        waiter.start()
        wait_for(lambda: httpx.get(f"{server.base_url}/v1/jobs/{running['id']}", headers=auth).json()["status"]
                 == "running", 60, "the long job to start", interval=0.1)
        time.sleep(0.5)  # the waiting request is in
        started = time.monotonic()
        server.process.terminate()
        server.process.wait(60)  # 10 s for open requests, then the running job's remainder
        assert time.monotonic() - started < 60
    finally:
        server.stop()
    # Nothing accepted was lost: a restart finishes both jobs.
    restarted = Server(tmp_path, {})
    try:
        def all_done():
            listed = httpx.get(f"{restarted.base_url}/v1/jobs", headers=auth).json()["data"]
            return len(listed) == 2 and all(job["status"] == "succeeded" for job in listed)

        wait_for(all_done, 120, "both jobs to succeed after the restart", interval=0.1)
    finally:
        restarted.stop()

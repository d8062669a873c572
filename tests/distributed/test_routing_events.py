"""Per-model queues, progress and cancellation across processes, metrics and logs of the distributed mode."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import wait_for
from tests.distributed.conftest import MODEL, REPO, UNSERVED_MODEL
from worker.broker import RedisJobEvents
from worker.celery_app import queue_for

pytestmark = [pytest.mark.distributed, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def metric(text: str, name: str, **labels) -> float | None:
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def read_sse(dist, job_id: str, timeout: float = 90) -> list[tuple[str, dict]]:
    events, name = [], None
    with dist.http.stream("GET", f"/v1/jobs/{job_id}/events", timeout=timeout) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[len("data: "):])))
    return events


def healthcheck(dist) -> int:
    """The worker container's health check command, run as docker-compose.yml runs it."""
    return subprocess.run([sys.executable, "-m", "worker.healthcheck"], env=dist.env, cwd=REPO,
                          capture_output=True, timeout=60).returncode


def test_job_for_a_model_no_worker_serves_stays_queued_and_visible(dist):
    assert healthcheck(dist) == 1, "no worker on this host yet"
    dist.start_worker(MODEL)
    orphan = dist.submit(steps=2, model=UNSERVED_MODEL)
    # A synchronous OpenAI-style call through the served model's worker, waiting on events from Redis.
    response = dist.http.post(
        "/v1/images/generations",
        json={"prompt": "a horse", "size": "256x256", "steps": 2, "response_format": "b64_json"},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    assert base64.b64decode(response.json()["data"][0]["b64_json"])[:8] == b"\x89PNG\r\n\x1a\n"

    row = dist.job(orphan["id"])
    assert row.status == "queued" and row.attempts == 0 and row.dispatched_at is not None
    assert dist.http.get(f"/v1/jobs/{orphan['id']}").json()["status"] == "queued"
    # Publishing is at least once (a publish retried after a stalled disk may land twice, and the job still runs
    # once), so the check is that re-dispatcher passes add nothing while the broker holds the job.
    held = dist.redis.client().llen(queue_for(UNSERVED_MODEL))
    assert held >= 1, "in its model's queue"
    time.sleep(4 * 0.5 + 1)  # a few re-dispatcher passes
    assert dist.redis.client().llen(queue_for(UNSERVED_MODEL)) == held, "not sent again"
    assert dist.redis.client().llen(queue_for(MODEL)) == 0

    time.sleep(5)  # the metrics cache
    text = dist.http.get("/metrics").text
    assert metric(text, "easel_queue_depth", model=UNSERVED_MODEL) == 1
    assert metric(text, "easel_broker_queue_length", model=UNSERVED_MODEL) == held
    assert metric(text, "easel_jobs_finished_total", model=MODEL, status="succeeded") >= 1
    assert metric(text, "easel_images_generated_total", model=MODEL) >= 1
    assert metric(text, "easel_job_run_seconds_count", model=MODEL) >= 1
    assert metric(text, "easel_http_requests_total", method="POST", route="/v1/images/generations", status="200") == 1

    assert healthcheck(dist) == 0

    # Redis loses its data (here: flushed; or restarted without its append-only file): the re-dispatcher
    # notices its marker is gone and sends the queued job again.
    dist.redis.client().flushdb()
    dist.wait_for_queue(UNSERVED_MODEL, 1, timeout=30)
    assert dist.job(orphan["id"]).status == "queued"

    # Cancelling it from the API ends it at once; a worker that later reads the message skips it.
    assert dist.http.post(f"/v1/jobs/{orphan['id']}/cancel").json()["status"] == "cancelled"


def test_cancel_signals_reach_worker_processes_through_redis(redis_server):
    """API node -> Redis -> each worker process: the signal that stops a running job at its next step
    (core/events.py). An API node does not take signals; a worker takes only the jobs signalled."""
    worker = RedisJobEvents(redis_server.url, listen=False, cancels=True)
    api_node = RedisJobEvents(redis_server.url)
    try:
        wait_for(lambda: worker.connected.is_set() and api_node.connected.is_set(), 10, "both subscribed")

        def signalled() -> bool:  # sent again until it lands: a subscription goes live a moment after connecting
            api_node.request_cancel("job_signalled")
            return worker.cancel_requested("job_signalled")

        wait_for(signalled, 10, "the cancel signal at the worker", interval=0.1)
        assert not worker.cancel_requested("job_other")
        assert not api_node.cancel_requested("job_signalled")
    finally:
        worker.close()
        api_node.close()


def test_sse_shows_each_step_across_processes_and_cancel_stops_a_running_job(dist):
    dist.start_worker(MODEL)
    blocker = dist.submit(steps=15, prompt="blocker")  # keeps the worker busy while we subscribe to the next
    request_id = f"dist-{uuid.uuid4().hex[:12]}"
    followed = dist.submit(steps=8, seed=5, headers={"x-request-id": request_id})

    events = read_sse(dist, followed["id"])
    names = [name for name, _ in events]
    assert names[0] == "queued" and names[-1] == "succeeded", names
    steps = [data["progress"]["step"] for name, data in events if name == "running" and data["progress"]["total"]]
    total = events[-1][1]["progress"]["total"]
    assert total == 16  # prior and decoder, 8 steps each
    assert steps == list(range(1, total + 1)), "every sampling step, in order, from the worker process"
    assert dist.job(blocker["id"]).status == "succeeded"

    # The request id travels with the job: the API logged the dispatch, the worker the run, under one id.
    api_lines = [l for l in dist.api.log_lines() if l.get("request_id") == request_id]
    assert any(l.get("job_id") == followed["id"] and l["message"].startswith("job sent") for l in api_lines)
    worker_lines = [l for l in dist.worker_log() if l.get("request_id") == request_id]
    assert {l["message"] for l in worker_lines if l.get("job_id") == followed["id"]} >= {"job started", "job finished"}

    # Cancel across processes: the API sets the flag and signals the worker, which stops at its next step.
    doomed = dist.submit(steps=200, prompt="long")
    dist.wait_running(doomed["id"], min_step=2, timeout=90)
    assert dist.http.post(f"/v1/jobs/{doomed['id']}/cancel").status_code == 200
    row = dist.wait_status(doomed["id"], {"cancelled", "succeeded", "failed"}, timeout=30)
    assert row.status == "cancelled" and row.progress_step < row.progress_total
    assert dist.images(doomed["id"]) == []
    after = dist.submit(steps=2)  # the worker lives on
    assert dist.wait_status(after["id"], {"succeeded", "failed"}, timeout=60).status == "succeeded"

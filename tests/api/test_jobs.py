"""Async jobs: submit (202), poll, follow as server-sent events, cancel, list with pagination, per-key isolation."""

from __future__ import annotations

import base64
import json
import time

from tests.conftest import fetch, new_key, png_bytes, scene, wait_for

FAST = {"steps": 3, "size": "256x256"}
SLOW = {"steps": 200, "size": "256x256"}  # long enough to be caught running


def wait_for_job(client, auth, job_id, statuses, timeout=60.0):
    def reached():
        job = client.get(f"/v1/jobs/{job_id}", headers=auth).json()
        return job if job["status"] in statuses else None

    return wait_for(reached, timeout, f"job {job_id} to reach {statuses}", interval=0.05)


def test_submit_poll_and_result(client, auth):
    response = client.post("/v1/jobs/generations", json={"prompt": "a purple star", "n": 2, **FAST}, headers=auth)
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["id"].startswith("job_") and job["status"] in ("queued", "running", "succeeded")
    assert job["params"]["n"] == 2 and isinstance(job["params"]["seed"], int)
    done = wait_for_job(client, auth, job["id"], {"succeeded"})
    assert done["progress"]["step"] == done["progress"]["total"] > 0
    assert len(done["result"]["data"]) == 2 and done["attempts"] == 1

    edit = client.post(
        "/v1/jobs/edits",
        files={"image": ("s.png", png_bytes(scene(64, "RGBA", hole=True)), "image/png")},
        data={"prompt": "fill", "size": "256x256", "steps": "3"},
        headers=auth,
    )
    assert edit.status_code == 202
    assert wait_for_job(client, auth, edit.json()["id"], {"succeeded"})["operation"] == "edit"


def test_events_stream_every_step_then_the_end(client, auth):
    job = client.post("/v1/jobs/generations", json={"prompt": "a cat", "steps": 6, "size": "256x256"}, headers=auth).json()
    events = []
    with client.stream("GET", f"/v1/jobs/{job['id']}/events", headers=auth) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    names = [name for name, _ in events]
    assert names[-1] == "succeeded" and "result" in events[-1][1]
    steps = [data["progress"]["step"] for name, data in events if name == "running"]
    total = events[-1][1]["progress"]["total"]
    # Subscribed before the job ran (or caught up from the row): every step from the first seen on, in order.
    assert steps == sorted(steps) and steps[-1] == total
    assert steps[-3:] == list(range(total - 2, total + 1))


def test_cancel_running_and_queued_jobs(client, auth):
    running = client.post("/v1/jobs/generations", json={"prompt": "long", **SLOW}, headers=auth).json()
    queued = client.post("/v1/jobs/generations", json={"prompt": "waits", **FAST}, headers=auth).json()
    job = wait_for_job(client, auth, running["id"], {"running"})
    deadline = time.monotonic() + 30
    while job["progress"]["step"] < 2 and time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{running['id']}", headers=auth).json()

    cancelled_queued = client.post(f"/v1/jobs/{queued['id']}/cancel", headers=auth).json()
    assert cancelled_queued["status"] == "cancelled"
    assert client.post(f"/v1/jobs/{running['id']}/cancel", headers=auth).status_code == 200

    stopped = wait_for_job(client, auth, running["id"], {"cancelled", "succeeded", "failed"})
    assert stopped["status"] == "cancelled"
    assert stopped["progress"]["step"] < stopped["progress"]["total"]
    never_ran = client.get(f"/v1/jobs/{queued['id']}", headers=auth).json()
    assert never_ran["status"] == "cancelled" and never_ran["attempts"] == 0 and never_ran["started_at"] is None
    # Cancelling a finished job changes nothing.
    assert client.post(f"/v1/jobs/{queued['id']}/cancel", headers=auth).json()["status"] == "cancelled"


def test_sync_request_for_a_cancelled_job_is_a_clear_error(client, auth):
    job = client.post("/v1/jobs/generations", json={"prompt": "long", **SLOW}, headers=auth).json()
    wait_for_job(client, auth, job["id"], {"running"})
    client.post(f"/v1/jobs/{job['id']}/cancel", headers=auth)
    done = wait_for_job(client, auth, job["id"], {"cancelled", "succeeded"})
    assert done["status"] == "cancelled" and done["result"] is None


def test_list_paginates_own_jobs_only(client, settings, auth):
    other = {"Authorization": f"Bearer {new_key(settings, 'other')}"}
    ids = [
        client.post("/v1/jobs/generations", json={"prompt": f"p{i}", **FAST}, headers=auth).json()["id"]
        for i in range(5)
    ]
    foreign = client.post("/v1/jobs/generations", json={"prompt": "theirs", **FAST}, headers=other).json()["id"]

    page = client.get("/v1/jobs?limit=2", headers=auth).json()
    assert [j["id"] for j in page["data"]] == ids[::-1][:2] and page["has_more"]
    seen = [j["id"] for j in page["data"]]
    while page["has_more"]:
        page = client.get(f"/v1/jobs?limit=2&after={page['last_id']}", headers=auth).json()
        seen += [j["id"] for j in page["data"]]
    assert seen == ids[::-1]
    page = client.get("/v1/jobs?limit=3&order=asc", headers=auth).json()
    oldest_first = [j["id"] for j in page["data"]]
    page = client.get(f"/v1/jobs?limit=3&order=asc&after={page['last_id']}", headers=auth).json()
    assert oldest_first + [j["id"] for j in page["data"]] == ids and not page["has_more"]
    error = client.get("/v1/jobs?order=newest", headers=auth).json()["error"]
    assert error["param"] == "order"

    for path in (f"/v1/jobs/{foreign}", f"/v1/jobs/{foreign}/events"):
        response = client.get(path, headers=auth)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.post(f"/v1/jobs/{foreign}/cancel", headers=auth).status_code == 404
    assert client.get(f"/v1/jobs?after={foreign}", headers=auth).status_code == 400
    for job_id in ids:
        wait_for_job(client, auth, job_id, {"succeeded"})


def test_the_list_gives_results_as_urls_and_the_job_its_own_format(client, auth):
    """A page of b64_json jobs would inline every image of the page (up to 100 jobs of ten 1024x1024 images)."""
    job = client.post(
        "/v1/jobs/generations", json={"prompt": "a red circle", "n": 2, "response_format": "b64_json", **FAST}, headers=auth
    ).json()
    done = wait_for_job(client, auth, job["id"], {"succeeded"})
    assert all(item["b64_json"] for item in done["result"]["data"])

    (listed,) = [j for j in client.get("/v1/jobs", headers=auth).json()["data"] if j["id"] == job["id"]]
    assert listed["params"]["response_format"] == "b64_json"
    urls = [item["url"] for item in listed["result"]["data"]]
    assert len(urls) == 2 and not any(item.get("b64_json") for item in listed["result"]["data"])
    for url, item in zip(urls, done["result"]["data"]):
        assert fetch(client, url) == (200, base64.b64decode(item["b64_json"]))


def test_a_slow_database_write_at_submission_does_not_hold_up_other_requests(client, auth, monkeypatch):
    """Submission's database and storage calls run off the event loop (on a remote PostgreSQL each is a round
    trip); on it, every other request of the node would wait behind them."""
    import threading

    from core import jobs as core_jobs

    real_create_job = core_jobs.create_job
    writing = threading.Event()

    def slow_create_job(*args, **kwargs):
        writing.set()
        time.sleep(1.5)
        return real_create_job(*args, **kwargs)

    monkeypatch.setattr(core_jobs, "create_job", slow_create_job)
    submitted = {}
    submit = threading.Thread(
        target=lambda: submitted.update(response=client.post("/v1/jobs/generations", json={"prompt": "a red circle", **FAST}, headers=auth))
    )
    submit.start()
    assert writing.wait(30)
    start = time.monotonic()
    assert client.get("/healthz").status_code == 200
    waited = time.monotonic() - start
    submit.join()
    assert submitted["response"].status_code == 202
    assert waited < 1.0, f"a health check waited {waited:.2f}s behind a job's database write"
    wait_for_job(client, auth, submitted["response"].json()["id"], {"succeeded"})


def test_a_failing_model_ends_the_job_failed_with_a_reason(make_settings, tmp_path):
    from fastapi.testclient import TestClient

    from easel.assembly import create_app
    from tests.conftest import migrated

    # A model folder that does not exist: the worker cannot load it, and the job must say so, not vanish.
    settings = migrated(make_settings(kandinsky_path=tmp_path / "missing"))
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {new_key(settings)}"}
        job = client.post("/v1/jobs/generations", json={"prompt": "x", **FAST}, headers=headers).json()
        failed = wait_for_job(client, headers, job["id"], {"failed"})
        assert failed["error"]["code"] == "generation_failed" and "missing" in failed["error"]["message"]
        sync = client.post("/v1/images/generations", json={"prompt": "y", **FAST}, headers=headers)
        assert sync.status_code == 500 and sync.json()["error"]["type"] == "server_error"


def test_an_over_limit_key_gets_429_on_every_submitting_endpoint_before_its_upload_is_read(make_settings, monkeypatch):
    """The same order everywhere (auth, limits, then the body): an over-limit client's upload is never read, and
    it gets 429, not the 400 its broken upload would earn."""
    from fastapi.testclient import TestClient

    from api import parsing
    from easel.assembly import create_app
    from tests.conftest import migrated

    settings = migrated(make_settings(rate_limit_per_minute=1))
    forms_read = []
    real_read_form = parsing._read_form

    async def counting_read_form(http, context):
        forms_read.append(http.url.path)
        return await real_read_form(http, context)

    monkeypatch.setattr(parsing, "_read_form", counting_read_form)
    not_a_png = {"image": ("x.png", b"not a png at all" * 1000, "image/png")}
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {new_key(settings)}"
        first = client.post("/v1/jobs/edits", files=not_a_png, data={"prompt": "a cat"})
        assert first.status_code == 400 and forms_read == ["/v1/jobs/edits"]  # within the limit: read, refused
        for path in ("/v1/jobs/edits", "/v1/jobs/variations", "/v1/images/edits", "/v1/images/variations"):
            response = client.post(path, files=not_a_png, data={"prompt": "a cat"} if "edits" in path else {})
            assert response.status_code == 429, (path, response.text)
            assert response.json()["error"]["code"] == "rate_limit_exceeded"
            assert int(response.headers["retry-after"]) >= 1
        for path in ("/v1/jobs/generations", "/v1/images/generations"):
            assert client.post(path, json={"prompt": "a cat"}).status_code == 429
        assert forms_read == ["/v1/jobs/edits"]  # no upload was read after the first



def test_a_b64_result_whose_image_file_is_gone_is_a_410_not_a_500(client, auth):
    job = client.post("/v1/jobs/generations", json={"prompt": "a cat", "response_format": "b64_json", **FAST},
                      headers=auth).json()
    wait_for_job(client, auth, job["id"], {"succeeded"})
    context = client.app.state.context
    with context.services.sessions() as session:
        from core.tables import Image

        for image in session.query(Image).filter(Image.job_id == job["id"]):
            context.services.storage.delete(image.storage_key)  # as a DELETE racing this read would
    response = client.get(f"/v1/jobs/{job['id']}", headers=auth)
    assert response.status_code == 410 and response.json()["error"]["code"] == "image_deleted"

"""The embedded worker: it owns its data folder, and no job it was handed is left behind (nor failed by a
database that is briefly unreachable); a job that does fail says which stage failed; a cancel signal stops a
running job at its next step."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from easel.assembly import create_app
from core import jobs, keys, tables
from core.events import LocalJobEvents
from core.services import Services
from tests.conftest import migrated, new_key, wait_for
from worker.embedded import DataDirInUse, EmbeddedWorker
from models.registry import BackendPool
from worker.runner import JobRunner


def test_second_embedded_server_on_the_same_data_dir_refuses_to_start(settings):
    migrated(settings)
    with TestClient(create_app(settings)):
        with pytest.raises(DataDirInUse, match="already running"):
            with TestClient(create_app(settings)):
                pass
    # Once the first has stopped, the folder is free again.
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200


def wait_for_end(sessions, job_id: str) -> str:
    def ended():
        with sessions() as session:
            status = session.get(tables.Job, job_id).status
        return status if status in ("succeeded", "failed", "cancelled") else None

    return wait_for(ended, 60, f"job {job_id} to end", interval=0.1)


def claim_that_fails_once(monkeypatch) -> list:
    """jobs.claim_job raising once, as it does when the database is briefly unreachable."""
    calls = []
    claim = jobs.claim_job

    def flaky(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 1:
            raise OperationalError("UPDATE jobs ...", {}, Exception("database is locked"))
        return claim(*args, **kwargs)

    monkeypatch.setattr(jobs, "claim_job", flaky)
    return calls


def make_runner(settings) -> JobRunner:
    from models.registry import load_backend
    from safety import get_policy

    services = Services.from_settings(migrated(settings))
    return JobRunner(
        sessions=services.sessions,
        storage=services.storage,
        backends=BackendPool(lambda name: load_backend(name, settings)),
        policy=get_policy(settings.policy_file),
        settings=settings,
    )


def new_job(sessions, steps: int = 2) -> str:
    with sessions() as session:
        key, _ = keys.create_api_key(session, "k")
        job = jobs.create_job(
            session, api_key_id=key.id, operation="generate", model="kandinsky-2.2", prompt="a red circle",
            params={"n": 1, "size": 256, "steps": steps}, seed=1, fingerprint="f",
        )
    return job.id


def test_a_job_whose_run_fails_before_its_claim_is_retried(settings, monkeypatch):
    """The job left the in-memory queue but nothing claimed it: it must not sit `queued` for ever."""
    runner = make_runner(settings)
    job_id = new_job(runner.sessions)
    calls = claim_that_fails_once(monkeypatch)
    worker = EmbeddedWorker(runner, recovery_interval=0.2)
    worker.start()  # dispatches the queued job
    try:
        assert wait_for_end(runner.sessions, job_id) == "succeeded"
    finally:
        worker.stop()
    assert calls == [job_id, job_id]


def test_celery_task_retries_a_job_whose_run_failed_before_its_claim(settings, monkeypatch):
    from worker import celery_app
    from worker.tasks import run_job

    runner = make_runner(settings)
    job_id = new_job(runner.sessions)
    calls = claim_that_fails_once(monkeypatch)
    monkeypatch.setattr(celery_app, "_runner", runner)
    run_job.apply(args=[job_id])  # eager: a retry runs again at once
    with runner.sessions() as session:
        assert session.get(tables.Job, job_id).status == "succeeded"
    assert calls == [job_id, job_id]


def test_waiting_requests_hold_no_database_connection(make_settings):
    """A synchronous image request lasts as long as its job; if each held a pooled connection while it waited,
    a burst of them would starve every other request (PostgreSQL's pool is fixed-size)."""
    settings = migrated(make_settings(sync_timeout_seconds=3))
    with TestClient(create_app(settings)) as client:
        auth = {"Authorization": f"Bearer {new_key(settings)}"}
        context = client.app.state.context
        context.jobs.dispatcher.stop()  # no worker: the job stays queued and the request waits for it
        answers = []
        waiting = threading.Thread(target=lambda: answers.append(
            client.post("/v1/images/generations", json={"prompt": "a red circle", "size": "256x256"}, headers=auth)
        ))
        waiting.start()

        def recorded():
            with context.services.sessions() as session:
                return session.scalar(select(func.count()).select_from(tables.Job))

        wait_for(recorded, 10, "the request's job to be recorded", interval=0.05)
        time.sleep(0.5)  # well into the wait
        held = context.services.engine.pool.checkedout()
        waiting.join()
    assert answers[0].status_code == 504  # it did wait, and says the job keeps running
    assert held == 0


def test_a_database_error_between_steps_does_not_fail_the_job(settings, monkeypatch):
    """The progress write meets a database that is briefly unreachable: the job samples on and succeeds.
    (It used to end `failed` with "The model failed: ..." though the model had not.)"""
    runner = make_runner(settings)
    job_id = new_job(runner.sessions)
    failures = []
    record_progress = jobs.record_progress

    def failing_once(*args, **kwargs):
        if not failures:
            failures.append(args)
            raise OperationalError("UPDATE jobs ...", {}, Exception("server closed the connection"))
        return record_progress(*args, **kwargs)

    monkeypatch.setattr(jobs, "record_progress", failing_once)
    assert runner.run(job_id) == "succeeded"
    assert len(failures) == 1  # the write did fail
    with runner.sessions() as session:
        assert session.get(tables.Job, job_id).status == "succeeded"


def test_a_cancel_signal_stops_the_job_at_its_next_step_without_a_read_per_step(settings):
    """The cancel endpoint signals the worker (core/events.py): the job stops at the step after the signal,
    and the worker does not read the job row at every step to find out (it did: ~1 ms a step on SQLite, a
    round trip on PostgreSQL). Here only the signal is sent, not the row's flag, so the signal alone stops it."""
    runner = make_runner(settings)
    runner.events = events = LocalJobEvents()
    job_id = new_job(runner.sessions, steps=12)
    steps, statements = [], []
    publish = events.publish

    def publish_and_cancel_at_ten(job, message):
        if message["status"] == "running" and message["step"]:
            steps.append((message["step"], message["total"], len(statements)))
            if message["step"] == 10:
                events.request_cancel(job_id)
        publish(job, message)

    events.publish = publish_and_cancel_at_ten
    engine = runner.sessions.kw["bind"]
    count = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert runner.run(job_id) == "cancelled"
    finally:
        event.remove(engine, "before_cursor_execute", count)
    (first, total, before), (last, _, after) = steps[0], steps[-1]
    assert first == 1 and last == 11 and total > 11  # the next step after the signal, well before the end
    # Ten steps, and far fewer statements than that (a progress write, two statements, once a second).
    assert after - before < 6
    with runner.sessions() as session:
        job = session.get(tables.Job, job_id)
        assert job.status == "cancelled" and (job.progress_step, job.progress_total) == (11, total)


def test_a_job_whose_images_cannot_be_stored_fails_saying_so(settings, monkeypatch):
    """A full disk is not the model's fault: the reason names the stage that failed, and the cause."""
    runner = make_runner(settings)
    job_id = new_job(runner.sessions)

    def disk_full(key, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runner.storage, "put", disk_full)
    assert runner.run(job_id) == "failed"
    with runner.sessions() as session:
        job = session.get(tables.Job, job_id)
    assert job.error_message.startswith("Checking or storing the images failed:")
    assert "No space left on device" in job.error_message

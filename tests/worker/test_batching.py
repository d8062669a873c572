"""Cross-request batching in the worker (worker/runner.py): compatible queued jobs share one model call, and each
still ends on its own: the images it gets alone, its own cancel, its own content check, its own result."""

from __future__ import annotations

import json
import logging
import time

import pytest
from PIL import Image
from sqlalchemy import select

from core import jobs, keys, tables
from core.events import LocalJobEvents
from core.logs import JsonFormatter, request_id_var
from safety.decision import Decision
from tests.conftest import migrated, png_bytes
from tests.worker.test_embedded import make_runner, wait_for_end
from worker.embedded import EmbeddedWorker


@pytest.fixture
def unclip_settings(make_settings, tiny_unclip_dir):
    return migrated(make_settings(models=["unclip"], unclip_path=tiny_unclip_dir))


def runner_for(settings, **overrides):
    return make_runner(settings.model_copy(update=overrides))


def submit(runner, operation="generate", prompt="a red circle", n=1, seed=1, steps=4, size=256, image=None,
           mask=None, request_id=None) -> str:
    with runner.sessions() as session:
        key = session.scalar(select(tables.ApiKey).limit(1)) or keys.create_api_key(session, "k")[0]
        job = jobs.create_job(
            session, api_key_id=key.id, operation=operation, model="unclip", prompt=prompt,
            params={"n": n, "size": size, "steps": steps}, seed=seed, fingerprint="f", request_id=request_id,
        )
    inputs = {"input_key": image, "mask_key": mask}  # stored as the job service stores uploads, at the job's size
    for column, picture in inputs.items():
        if picture is not None:
            key = f"inputs/{job.id}/{column}.png"
            runner.storage.put(key, png_bytes(picture.resize((size, size))))
            with runner.sessions() as session:
                setattr(session.get(tables.Job, job.id), column, key)
                session.commit()
    return job.id


def box_mask(left: int, top: int, right: int, bottom: int) -> Image.Image:
    """A stored edit mask (mode L, 255 = repaint) of a box of a 256x256 picture."""
    mask = Image.new("L", (256, 256), 0)
    mask.paste(255, (left, top, right, bottom))
    return mask


def row(runner, job_id: str) -> tables.Job:
    with runner.sessions() as session:
        return session.get(tables.Job, job_id)


def hashes(runner, job_id: str) -> list[str]:
    return [image.sha256 for image in row(runner, job_id).images]


JOBS = {
    "generate": [dict(prompt="a red circle", n=1, seed=5), dict(prompt="a blue star", n=2, seed=9),
                 dict(prompt="a red circle", n=1, seed=6)],
    # Variations and edits of different pictures (and masks), single images and a pair.
    "vary": [dict(operation="vary", prompt=None, n=1, seed=1, image=Image.new("RGB", (256, 256), "red")),
             dict(operation="vary", prompt=None, n=1, seed=2, image=Image.new("RGB", (256, 256), (20, 40, 200))),
             dict(operation="vary", prompt=None, n=2, seed=3, image=Image.new("RGB", (256, 256), (85, 107, 47)))],
    "edit": [dict(operation="edit", prompt="a red star", n=1, seed=1, image=Image.new("RGB", (256, 256), (85, 107, 47)),
                  mask=box_mask(60, 70, 190, 200)),
             dict(operation="edit", prompt="a blue square", n=2, seed=2, image=Image.new("RGB", (256, 256), "white"),
                  mask=box_mask(0, 0, 128, 256))],
}


@pytest.mark.parametrize("operation", ["generate", "vary", "edit"])
def test_batched_jobs_get_exactly_the_images_they_get_alone(unclip_settings, operation, monkeypatch):
    from models.unclip import UnclipPipeline

    alone = runner_for(unclip_settings, max_batch_images=1)
    expected = []
    for spec in JOBS[operation]:
        job_id = submit(alone, **spec)
        assert alone.run_batch(job_id) == {job_id: "succeeded"}, "max_batch_images=1: no company"
        expected.append(hashes(alone, job_id))

    batched = runner_for(unclip_settings, max_batch_images=8)
    ids = [submit(batched, **spec) for spec in JOBS[operation]]
    not_compatible = [submit(batched, **{**JOBS[operation][0], **change}) for change in ({"steps": 5}, {"size": 512})]
    calls = []
    sample = UnclipPipeline.__call__
    monkeypatch.setattr(UnclipPipeline, "__call__", lambda self, **kw: calls.append(kw["n"]) or sample(self, **kw))
    assert batched.run_batch(ids[0]) == {job_id: "succeeded" for job_id in ids}
    assert calls == [sum(spec["n"] for spec in JOBS[operation])], "one model call for the batch"
    assert [hashes(batched, job_id) for job_id in ids] == expected
    for job_id in ids:
        job = row(batched, job_id)
        assert job.attempts == 1 and job.worker_id == batched.worker_id
    assert [row(batched, job_id).status for job_id in not_compatible] == ["queued", "queued"]
    # Its companions' own queue entries / messages find them finished: nothing runs twice.
    assert batched.run(ids[1]) == "skipped"
    assert row(batched, ids[1]).attempts == 1


def test_a_batch_holds_at_most_max_batch_images(unclip_settings):
    runner = runner_for(unclip_settings, max_batch_images=3)
    ids = [submit(runner, n=n, seed=i) for i, n in enumerate([1, 2, 1, 1])]
    assert runner.run_batch(ids[0]) == {ids[0]: "succeeded", ids[1]: "succeeded"}  # 1 + 2 images; the rest wait
    assert [row(runner, job_id).status for job_id in ids[2:]] == ["queued", "queued"]
    assert runner.run_batch(ids[2]) == {ids[2]: "succeeded", ids[3]: "succeeded"}


def test_each_job_of_a_batch_logs_under_its_own_request_id(unclip_settings, caplog):
    runner = runner_for(unclip_settings)
    first, companion = submit(runner, request_id="req-first"), submit(runner, seed=2, request_id="req-companion")
    formatter = JsonFormatter()
    token = request_id_var.set("req-first")  # as the Celery task sets it, from the job it was sent for
    try:
        with caplog.at_level(logging.INFO, logger="easel.worker"):
            assert runner.run_batch(first) == {first: "succeeded", companion: "succeeded"}
    finally:
        request_id_var.reset(token)
    lines = [json.loads(formatter.format(record)) for record in caplog.records]
    for job_id, request_id in ((first, "req-first"), (companion, "req-companion")):
        mine = [line for line in lines if line.get("job_id") == job_id]
        assert {line["message"] for line in mine} >= {"job started", "job finished"}
        assert {line["request_id"] for line in mine} == {request_id}


def test_a_lone_job_does_not_wait_for_company(unclip_settings, monkeypatch):
    # Counted naps, not wall time: a stalled disk can make one claim query slow without any waiting.
    naps, real_sleep = [], time.sleep
    monkeypatch.setattr(time, "sleep", lambda seconds: (naps.append(seconds), real_sleep(seconds))[1])
    runner = runner_for(unclip_settings, batch_wait_ms=0)
    runner.backends.get("unclip")  # loaded, as in a worker
    job_id = submit(runner)
    with runner.sessions() as session:
        job = jobs.claim_job(session, job_id, runner.worker_id, 60)
    assert runner.claim_companions(job) == []
    assert naps == [], "batch_wait_ms=0: one look for companions, no waiting"
    waiting = runner_for(unclip_settings, batch_wait_ms=1000)
    waiting.backends = runner.backends
    started = time.monotonic()
    assert waiting.claim_companions(job) == []
    assert time.monotonic() - started >= 1.0, "batch_wait_ms=1000: it looks again until the second is over"
    assert naps and sum(naps) <= 1.0 + 1e-6, "and not past it"


def test_cancelling_one_job_of_a_batch_ends_it_at_once_and_the_others_go_on(unclip_settings):
    runner = runner_for(unclip_settings)
    runner.events = events = LocalJobEvents()
    first, cancelled, last = ids = [submit(runner, seed=i, steps=12, prompt=f"a circle {i}") for i in range(3)]
    steps = {job_id: [] for job_id in ids}
    publish = events.publish

    def publish_and_cancel(job_id, message):
        if message["status"] == "running" and message["step"]:
            steps[job_id].append(message["step"])
            if job_id == cancelled and message["step"] == 3:
                events.request_cancel(cancelled)
        publish(job_id, message)

    events.publish = publish_and_cancel
    assert runner.run_batch(first) == {first: "succeeded", cancelled: "cancelled", last: "succeeded"}
    total = 3 + 12 + 1
    assert steps[cancelled] == [1, 2, 3, 4], "stopped at the step after the signal"
    assert steps[first] == steps[last] == list(range(1, total + 1))
    stopped, done = row(runner, cancelled), row(runner, first)
    assert stopped.status == "cancelled" and stopped.progress_step == 4 and stopped.images == []
    assert stopped.finished_at < done.finished_at, "it ended when it stopped, not with the batch"
    assert len(done.images) == 1 and len(row(runner, last).images) == 1


class RefusingPolicy:
    """The real policy, whose output check also refuses the images listed for each call (call 0 = the batch's
    first job): the content check is per job, so a refusal must touch that job alone."""

    def __init__(self, policy, refuse: dict[int, set[int]]):
        self.policy, self.refuse, self.calls = policy, refuse, 0

    def check_outputs(self, images):
        decisions = self.policy.check_outputs(images)
        refused = self.refuse.get(self.calls, set())
        self.calls += 1
        return [Decision(False, "violence", "test") if i in refused else d for i, d in enumerate(decisions)]

    def __getattr__(self, name):
        return getattr(self.policy, name)


def test_a_refused_image_touches_only_its_own_job(unclip_settings):
    runner = runner_for(unclip_settings)
    clean, partly, refused = [submit(runner, n=n, seed=i) for i, n in enumerate([1, 2, 1])]
    runner.policy = RefusingPolicy(runner.policy, {1: {0}, 2: {0}})
    assert runner.run_batch(clean) == {clean: "succeeded", partly: "succeeded", refused: "failed"}
    assert len(row(runner, clean).images) == 1 and row(runner, clean).blocked_outputs == 0
    assert len(row(runner, partly).images) == 1 and row(runner, partly).blocked_outputs == 1
    job = row(runner, refused)
    assert job.error_code == "content_policy_violation" and job.images == []
    with runner.sessions() as session:
        recorded = session.scalars(select(tables.PolicyRejection.job_id)).all()
    assert sorted(recorded) == sorted([partly, refused])
    assert {p.parent.name for p in (runner.settings.data_dir / "images" / "outputs").glob("*/*")} == {clean, partly}


def test_the_embedded_worker_batches_the_jobs_in_its_queue(unclip_settings):
    runner = runner_for(unclip_settings)
    ids = [submit(runner, seed=i, prompt=f"a square {i}") for i in range(3)]
    batches = []
    run_batch = runner.run_batch
    runner.run_batch = lambda job_id: batches.append(run_batch(job_id)) or batches[-1]  # noqa: E731
    worker = EmbeddedWorker(runner, recovery_interval=60)
    worker.start()  # dispatches the three queued jobs into its in-process queue
    try:
        assert [wait_for_end(runner.sessions, job_id) for job_id in ids] == ["succeeded"] * 3
        deadline = time.monotonic() + 10
        while len(batches) < 3 and time.monotonic() < deadline:  # the other two queue entries, skipped
            time.sleep(0.05)
    finally:
        worker.stop()
    assert batches == [{job_id: "succeeded" for job_id in ids}, {ids[1]: "skipped"}, {ids[2]: "skipped"}]
    assert [row(runner, job_id).attempts for job_id in ids] == [1, 1, 1]

"""A re-dispatcher that starts on a broker without its marker (a fresh or wiped Redis) marks it before its node takes
jobs: a job accepted right after start was sent to this broker and is not "lost with the broker" at the first pass."""

from __future__ import annotations

import pytest

from core import jobs, keys
from core.dispatch import dispatch_job
from core.services import Services
from core.tables import Job, new_id
from tests.conftest import migrated

pytestmark = [pytest.mark.redis]

MODEL = "kandinsky-2.2"


def test_a_job_accepted_right_after_start_is_sent_once(make_settings, private_redis):
    from worker.broker import BROKER_MARKER_KEY, CeleryDispatcher
    from worker.celery_app import queue_for
    from worker.redispatcher import Redispatcher

    settings = migrated(make_settings(broker_url=private_redis.url, redispatch_interval_seconds=60))
    services = Services.from_settings(settings)
    client = private_redis.client()
    assert not client.exists(BROKER_MARKER_KEY), "a fresh Redis, as a wiped one: no marker"
    dispatcher = CeleryDispatcher(settings)
    node = Redispatcher(services.sessions, dispatcher, settings, services.storage)
    node.start()
    try:
        with services.sessions() as session:
            key, _ = keys.create_api_key(session, "k")
            job_id = new_id("job")
            jobs.create_job(session, id=job_id, api_key_id=key.id, operation="generate", model=MODEL, prompt="p",
                            params={"n": 1}, seed=1, fingerprint=job_id, status="queued")
        assert dispatch_job(services.sessions, dispatcher, job_id, MODEL)
        node.run_once()  # the first pass: the broker has its marker, nothing was lost
        with services.sessions() as session:
            assert session.get(Job, job_id).dispatched_at is not None, "not forgotten as lost with the broker"
        assert client.llen(queue_for(MODEL)) == 1
    finally:
        node.stop()
        services.close()

"""In the distributed mode the retention sweep runs in the re-dispatcher, and only on the node that leads it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import jobs, keys
from core.tables import Image, Job, new_id, utcnow
from core.services import Services
from tests.conftest import migrated

pytestmark = [pytest.mark.redis]


def old_finished_job(services: Services, key_id: str, days: float) -> str:
    job_id = new_id("job")
    with services.sessions() as session:
        jobs.create_job(session, id=job_id, api_key_id=key_id, operation="generate", model="kandinsky-2.2",
                        prompt="p", params={"n": 1}, seed=1, fingerprint=job_id, status="succeeded",
                        finished_at=utcnow() - timedelta(days=days))
        key = f"outputs/{job_id}/0.png"
        services.storage.put(key, b"png")
        session.add(Image(job_id=job_id, index=0, storage_key=key, width=1, height=1, format="png", sha256="x"))
        session.commit()
    return job_id


def expired(services: Services, job_id: str) -> bool:
    with services.sessions() as session:
        return session.get(Job, job_id).images_expired_at is not None


def test_only_the_leading_redispatcher_sweeps(make_settings, private_redis):
    from worker.broker import CeleryDispatcher
    from worker.redispatcher import Redispatcher

    settings = migrated(make_settings(broker_url=private_redis.url, retention_days=1,
                                      retention_sweep_interval_seconds=0, redispatch_interval_seconds=5))
    services = Services.from_settings(settings)
    nodes = [Redispatcher(services.sessions, CeleryDispatcher(settings), settings, services.storage) for _ in "ab"]
    try:
        with services.sessions() as session:
            key, _ = keys.create_api_key(session, "k")
        first, recent = old_finished_job(services, key.id, 2), old_finished_job(services, key.id, 0.5)
        nodes[0].run_once()  # takes the lead
        assert expired(services, first) and not expired(services, recent)
        with pytest.raises(FileNotFoundError):
            services.storage.get(f"outputs/{first}/0.png")
        assert services.storage.get(f"outputs/{recent}/0.png") == b"png"

        second = old_finished_job(services, key.id, 3)
        nodes[1].run_once()  # not the leader: no sweep
        assert not expired(services, second)
        nodes[0].run_once()
        assert expired(services, second)
    finally:
        for node in nodes:
            node.stop()
        services.close()

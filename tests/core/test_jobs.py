"""The job state machine on SQLite and PostgreSQL: one owner at a time, fenced results, leases, the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from core import jobs, keys, tables
from core.db import migrate
from core.config import Settings
from core.db import make_engine, make_sessionmaker


@pytest.fixture
def sessions(tmp_path, database_url):
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    migrate(settings, wait_seconds=5)
    engine = make_engine(settings.sqlalchemy_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def make_job(session, **fields):
    key, _ = keys.create_api_key(session, "k")
    values = dict(
        api_key_id=key.id, operation="generate", model="unclip", prompt="p",
        params={"n": 1, "size": 256}, seed=1, fingerprint="f",
    )
    values.update(fields)
    return jobs.create_job(session, **values)


def test_migrations_match_the_tables(sessions):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from core.db import Base

    with sessions() as session:
        diff = compare_metadata(MigrationContext.configure(session.connection()), Base.metadata)
    assert diff == []


def test_only_one_worker_can_claim_a_job(sessions):
    with sessions() as session:
        job = make_job(session)
        assert jobs.claim_job(session, job.id, "w1", 60).worker_id == "w1"
        assert jobs.claim_job(session, job.id, "w2", 60) is None
        assert session.get(tables.Job, job.id, populate_existing=True).attempts == 1


def test_a_worker_that_lost_its_lease_cannot_write_the_result(sessions):
    with sessions() as session:
        job = make_job(session)
        jobs.claim_job(session, job.id, "w1", 60)
        session.execute(update(tables.Job).values(lease_expires_at=tables.utcnow() - timedelta(seconds=1)))
        session.commit()
        assert jobs.claim_job(session, job.id, "w2", 60).attempts == 2
        image = dict(index=0, storage_key="k", width=1, height=1, format="png", sha256="0" * 64)
        assert jobs.record_progress(session, job.id, "w1", 1, 2, 60) is False
        assert jobs.finish_job(session, job.id, "w1", [image], 0) is False
        assert jobs.finish_job(session, job.id, "w2", [image], 0) is True
        done = session.get(tables.Job, job.id, populate_existing=True)
        assert done.status == "succeeded" and len(done.images) == 1


def test_one_set_of_images_per_job(sessions):
    with sessions() as session:
        job = make_job(session)
        session.add(tables.Image(job_id=job.id, index=0, storage_key="a", width=1, height=1, format="png", sha256="x"))
        session.commit()
        session.add(tables.Image(job_id=job.id, index=0, storage_key="b", width=1, height=1, format="png", sha256="y"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_expired_leases_are_retried_then_failed(sessions):
    with sessions() as session:
        job = make_job(session)
        for attempt in range(1, 4):
            assert jobs.claim_job(session, job.id, f"w{attempt}", 60) is not None
            session.execute(update(tables.Job).values(lease_expires_at=tables.utcnow() - timedelta(seconds=1)))
            session.commit()
            requeued = jobs.recover_expired_jobs(session, max_attempts=3)
            state = session.get(tables.Job, job.id, populate_existing=True)
            if attempt < 3:
                assert requeued == [job.id] and state.status == "queued" and state.dispatched_at is None
            else:
                assert requeued == [] and state.status == "failed" and state.error_code == "worker_lost"


def test_cancel_flag_stops_a_running_job_and_a_queued_one_never_starts(sessions):
    with sessions() as session:
        running, queued = make_job(session), make_job(session)
        jobs.claim_job(session, running.id, "w", 60)
        assert jobs.request_cancel(session, running.id).status == "running"
        assert jobs.record_progress(session, running.id, "w", 1, 10, 60) is False
        assert jobs.mark_cancelled(session, running.id, "w")
        assert jobs.request_cancel(session, queued.id).status == "cancelled"
        assert jobs.claim_job(session, queued.id, "w", 60) is None


def test_outbox_lists_undispatched_queued_jobs(sessions):
    with sessions() as session:
        a, b = make_job(session), make_job(session)
        jobs.mark_dispatched(session, a.id)
        assert jobs.undispatched_job_ids(session) == [b.id]


def test_keys_are_stored_hashed_and_can_be_revoked(sessions):
    with sessions() as session:
        key, secret = keys.create_api_key(session, "me")
        assert secret not in (key.key_hash, key.prefix) and len(key.key_hash) == 64
        assert keys.find_api_key(session, secret).id == key.id
        keys.revoke_api_key(session, key.id)
        assert keys.find_api_key(session, secret) is None

"""Two API nodes on one Redis share each key's limits: a key allowed 12 images a minute gets at most 12 accepted
across both, whichever node each request reaches, and the x-ratelimit-* headers count down across them.

The nodes are two app instances in this process, each with its own Limiter on our own redis-server (the broker
too: jobs are queued for workers that these tests do not start), on one database (SQLite and PostgreSQL).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from easel.assembly import create_app
from core import audit, keys, tables
from core.db import make_engine, make_sessionmaker
from tests.conftest import migrated

pytestmark = pytest.mark.redis

BODY = {"prompt": "a red circle", "size": "256x256", "steps": 1}


@pytest.fixture
def two_nodes(make_settings, database_url, redis_server):
    settings = migrated(make_settings(database_url=database_url, broker_url=redis_server.url))
    with TestClient(create_app(settings)) as node_a, TestClient(create_app(settings)) as node_b:
        engine = make_engine(settings.sqlalchemy_url)
        yield node_a, node_b, make_sessionmaker(engine)
        engine.dispose()


def make_key(sessions, **limits) -> tuple[str, dict]:
    with sessions() as session:
        key, secret = keys.create_key(session, audit.CLI_ACTOR, "limited", **limits)
    return key.id, {"Authorization": f"Bearer {secret}"}


def accepted_images(sessions, key_id: str) -> int:
    with sessions() as session:
        rows = session.scalars(select(tables.Job.params).where(tables.Job.api_key_id == key_id)).all()
    return sum(params["n"] for params in rows)


def test_twelve_images_a_minute_across_two_nodes_count_down_together(two_nodes):
    node_a, node_b, sessions = two_nodes
    key_id, auth = make_key(sessions, images_per_minute=12)
    remaining = []
    for i, n in enumerate([1, 2, 3, 1, 2, 3]):  # 12 images, alternating nodes
        node = (node_a, node_b)[i % 2]
        response = node.post("/v1/jobs/generations", json={**BODY, "n": n}, headers=auth)
        assert response.status_code == 202, response.text
        assert response.headers["x-ratelimit-limit-images"] == "12"
        remaining.append(int(response.headers["x-ratelimit-remaining-images"]))
    assert remaining == [11, 9, 6, 5, 3, 0]
    for node in (node_a, node_b):
        response = node.post("/v1/jobs/generations", json={**BODY, "n": 1}, headers=auth)
        assert response.status_code == 429 and response.json()["error"]["code"] == "rate_limit_exceeded"
        assert response.headers["x-ratelimit-remaining-images"] == "0" and int(response.headers["retry-after"]) >= 1
    assert accepted_images(sessions, key_id) == 12


def test_concurrent_requests_on_both_nodes_never_exceed_the_limit(two_nodes):
    node_a, node_b, sessions = two_nodes
    key_id, auth = make_key(sessions, images_per_minute=12)
    lock = threading.Lock()
    outcomes: list[tuple[int, int | None]] = []

    def send(i: int) -> None:
        node = (node_a, node_b)[i % 2]
        response = node.post("/v1/jobs/generations", json={**BODY, "n": 1}, headers=auth)
        left = response.headers.get("x-ratelimit-remaining-images")
        with lock:
            outcomes.append((response.status_code, int(left) if left is not None else None))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(send, range(20)))
    statuses = sorted(status for status, _ in outcomes)
    assert statuses == [202] * 12 + [429] * 8, outcomes
    # An accepted request's count left is read with its own charge (the read and the hit are two calls), so under
    # a concurrent burst it may not yet include the other node's hits; a refused one always says 0.
    lefts = [left for status, left in outcomes if status == 202]
    assert all(0 <= left <= 11 for left in lefts)
    assert all(left == 0 for status, left in outcomes if status == 429)
    assert accepted_images(sessions, key_id) == 12
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(tables.Job).where(tables.Job.api_key_id == key_id)) == 12

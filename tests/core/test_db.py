"""The engine: SQLite's pool must never make a request wait for a connection."""

from __future__ import annotations

from sqlalchemy import text

from core.db import make_engine


def test_sqlite_opens_as_many_connections_as_threads_ask_for(tmp_path):
    # The API's threadpool alone runs 40 requests at once, beside the worker and the waiting requests; a fixed
    # pool of 15 made the 16th wait 30 s and then answered a 500.
    engine = make_engine(f"sqlite:///{tmp_path / 'easel.db'}")
    connections = [engine.connect() for _ in range(60)]
    try:
        assert all(c.execute(text("select 1")).scalar() == 1 for c in connections)
    finally:
        for c in connections:
            c.close()
        engine.dispose()

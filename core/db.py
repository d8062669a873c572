"""Engine and session factory. SQLite by default, PostgreSQL through EASEL_DATABASE_URL."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from core.config import Settings


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite hands back naive ones otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Unlimited overflow: a fixed-size pool ran dry under a burst of requests (every threadpool thread, the
        # worker and the waiting requests each hold one at a time) and answered 500s after its 30-second wait.
        # SQLite connections are cheap to open; the pool only saves that cost in the common, quiet case.
        engine = create_engine(
            url, pool_size=5, max_overflow=-1, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # WAL lets the API read job rows while the worker thread writes progress.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def migrate(settings: Settings, wait_seconds: float = 60.0) -> None:
    """Wait until the database answers (a container may start before it), then `alembic upgrade head`."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            break
        except Exception as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"database not reachable after {wait_seconds:.0f}s: {exc}")
            time.sleep(1)
    engine.dispose()
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    config.set_main_option("sqlalchemy.url", settings.sqlalchemy_url.replace("%", "%%"))
    command.upgrade(config, "head")


def sessionmaker_for(settings: Settings) -> sessionmaker[Session]:
    """Sessions on the settings' database, for a one-off command (the CLI)."""
    return make_sessionmaker(make_engine(settings.sqlalchemy_url))

"""The long-lived objects one process needs, built once from Settings (API node, worker, CLI, tests)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.db import make_engine, make_sessionmaker
from core.storage import Storage, UrlSigner, load_secret, make_storage


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    storage: Storage
    signer: UrlSigner

    @classmethod
    def from_settings(cls, settings: Settings) -> "Services":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.sqlalchemy_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_sessionmaker(engine),
            storage=make_storage(settings),
            signer=UrlSigner(load_secret(settings), settings.url_ttl_seconds),
        )

    def close(self) -> None:
        self.engine.dispose()

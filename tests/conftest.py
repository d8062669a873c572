"""Shared fixtures: settings on a temp data folder, a real database (SQLite and PostgreSQL), the app with its
embedded worker, API keys, and a tiny random Kandinsky 2.2 for fast model runs."""

from __future__ import annotations

import contextlib
import io
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest
from PIL import Image
from sqlalchemy import create_engine, text

from core.config import Settings

POSTGRES_URL = os.environ.get("EASEL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pytest_configure(config):
    import torch

    # Two cores on CI: one intra-op thread per test process keeps the API and the worker thread responsive.
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))


@pytest.fixture(scope="session")
def tiny_kandinsky(tmp_path_factory) -> Path:
    from tests.models.tiny_kandinsky import build_tiny_kandinsky

    return build_tiny_kandinsky(tmp_path_factory.mktemp("tiny-kandinsky"))


@pytest.fixture(scope="session")
def tiny_unclip_dir(tmp_path_factory):
    """A tiny, randomly initialised (seeded) unCLIP model written with save_pretrained (the model, worker and
    distributed tests serve it)."""
    import torch

    from models.unclip import modeling as M
    from models.unclip.pipeline import UnclipPipeline
    from models.unclip.text_encoder import FrozenTextEncoder
    from models.unclip.train import sampling_schedulers

    torch.manual_seed(0)
    schedulers = sampling_schedulers()
    with torch.random.fork_rng():  # its own draws: the other networks stay as they were before it existed
        torch.manual_seed(1)
        text_adapter = M.make_text_adapter(tiny=True)
        torch.nn.init.normal_(text_adapter.proj_out.weight, std=0.02)  # as if trained: not the identity
    pipe = UnclipPipeline(
        text_encoder=FrozenTextEncoder(),
        image_encoder=M.make_image_encoder(tiny=True),
        prior=M.make_prior(tiny=True),
        decoder=M.make_decoder(tiny=True),
        text_adapter=text_adapter,
        upsampler=M.make_upsampler(tiny=True),
        prior_scheduler=schedulers["prior_scheduler"],
        decoder_scheduler=schedulers["decoder_scheduler"],
        config={"version": "test", "defaults": {"prior_steps": 3, "decoder_steps": 4}},
    )
    path = tmp_path_factory.mktemp("tiny-unclip")
    pipe.save_pretrained(path)
    return path


def wait_for(predicate, timeout: float, message: str, interval: float = 0.2):
    """Poll until predicate() returns something truthy, and return it; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s: {message}")
        time.sleep(interval)


@contextlib.contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards, so runs never share tables."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - only without a server
        admin.dispose()
        raise RuntimeError(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}") from exc
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url():
    with postgres_schema("easel_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'easel.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def make_settings(tmp_path, tiny_kandinsky):
    def make(**overrides) -> Settings:
        values = dict(
            data_dir=tmp_path / "data",
            database_url=f"sqlite:///{tmp_path / 'easel.db'}",
            models=["kandinsky-2.2"],
            kandinsky_path=tiny_kandinsky,
            device="cpu",
            secret_key="test-secret",
            sync_timeout_seconds=120,
        )
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def settings(make_settings) -> Settings:
    return make_settings()


def migrated(settings: Settings) -> Settings:
    from core.db import migrate

    migrate(settings, wait_seconds=5)
    return settings


@pytest.fixture
def client(settings):
    """The app with its embedded worker, on a migrated SQLite database."""
    from fastapi.testclient import TestClient

    from easel.assembly import create_app

    migrated(settings)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def new_key(settings: Settings, name: str = "test") -> str:
    from core import keys, tables
    from core.db import make_engine, make_sessionmaker

    engine = make_engine(settings.sqlalchemy_url)
    with make_sessionmaker(engine)() as session:
        _, secret = keys.create_api_key(session, name)
    engine.dispose()
    return secret


@pytest.fixture
def auth(settings, client) -> dict[str, str]:
    return {"Authorization": f"Bearer {new_key(settings)}"}


def fetch(client, url: str) -> tuple[int, bytes]:
    """GET an image URL the API answered (absolute, signed) through the test client."""
    parts = urlparse(url)
    response = client.get(f"{parts.path}?{parts.query}")
    return response.status_code, response.content


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def scene(size: int = 64, mode: str = "RGB", hole: bool = False) -> Image.Image:
    """A small test picture: a colored square on a background; `hole` makes the center transparent."""
    image = Image.new("RGBA", (size, size), (40, 90, 200, 255))
    for x in range(size // 4, size // 2):
        for y in range(size // 4, size // 2):
            image.putpixel((x, y), (230, 40, 40, 255))
    if hole:
        for x in range(size // 2, 3 * size // 4):
            for y in range(size // 2, 3 * size // 4):
                image.putpixel((x, y), (0, 0, 0, 0))
    return image.convert(mode)


@pytest.fixture(scope="session")
def weed(tmp_path_factory):
    """A real S3-compatible server (SeaweedFS) for the whole session; see tests/s3_server.py."""
    from tests.s3_server import WeedS3

    server = WeedS3(tmp_path_factory.mktemp("weed"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(weed, monkeypatch) -> str:
    """A fresh bucket on the session's server, with the standard AWS settings pointing at it."""
    if not weed.running():  # a test that stopped it failed before starting it again
        weed.start()
    for name, value in weed.env().items():
        monkeypatch.setenv(name, value)
    return weed.new_bucket()

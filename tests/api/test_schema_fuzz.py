"""Fuzz every endpoint from the service's own OpenAPI schema: whatever schemathesis sends, no 5xx.

Generated requests that happen to be valid run real (tiny) jobs through the embedded worker, so this also
checks that odd-but-valid input is handled end to end.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from easel.assembly import create_app
from core.config import Settings
from tests.conftest import migrated, new_key

_root = Path(tempfile.mkdtemp(prefix="easel-fuzz-"))
SETTINGS = Settings(
    data_dir=_root / "data",
    database_url=f"sqlite:///{_root / 'easel.db'}",
    models=["kandinsky-2.2"],
    kandinsky_path=_root / "kandinsky",
    device="cpu",
    secret_key="fuzz",
    sync_timeout_seconds=120,
)
app = create_app(SETTINGS)


def _prepare() -> None:
    # Loading the schema from the ASGI app runs its lifespan, so the database must exist by then.
    from tests.models.tiny_kandinsky import build_tiny_kandinsky

    build_tiny_kandinsky(SETTINGS.kandinsky_path)
    migrated(SETTINGS)


_prepare()
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# Loading the schema started the app, whose embedded worker now loads its default model on a thread. Wait for
# that here: diffusers and transformers load under process-wide "empty weights" switches, and a model another
# test builds meanwhile (the session's tiny Kandinsky) came out with meta tensors when `pytest tests/api` ran.
app.state.context.jobs.dispatcher.runner.backends.get(SETTINGS.resolved_default_model)


@pytest.fixture(scope="module")
def api_key():
    # Schemathesis runs the app's lifespan once (database, policy, embedded worker) and keeps it for the process.
    return new_key(SETTINGS)


def test_operation_ids_are_unique():
    # Client generators name methods after them; the files route once gave GET and HEAD the same one.
    ids = [operation["operationId"] for path in app.openapi()["paths"].values() for operation in path.values()]
    assert len(ids) == len(set(ids)), sorted(ids)


@schema.parametrize()
@hypothesis_settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, api_key):
    body = case.body if isinstance(case.body, dict) else None
    if body is not None:
        # Valid requests run real jobs on the tiny model, which decodes at the requested size: keep them small.
        if isinstance(body.get("steps"), int):
            body["steps"] = min(body["steps"], 3)
        else:
            body.setdefault("steps", 2)
        if isinstance(body.get("n"), int):
            body["n"] = min(body["n"], 2)
        if body.get("size") in ("512x512", "1024x1024") or "size" not in body:
            body["size"] = "256x256"
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_key}"}, checks=[not_a_server_error], timeout=120
    )

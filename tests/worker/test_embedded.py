"""The embedded worker owns its data folder: a second one on the same folder must not take its jobs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.conftest import migrated
from worker.embedded import DataDirInUse


def test_second_embedded_server_on_the_same_data_dir_refuses_to_start(settings):
    migrated(settings)
    with TestClient(create_app(settings)):
        with pytest.raises(DataDirInUse, match="already running"):
            with TestClient(create_app(settings)):
                pass
    # Once the first has stopped, the folder is free again.
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200

"""A real `easel serve` process on a free port, as a user starts it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, env: dict[str, str]):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.log_path = data_dir / "server.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        full_env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "EASEL_DATA_DIR": str(data_dir),
            "EASEL_PORT": str(self.port),
            "PYTHONPATH": str(REPO),
            **env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "easel.cli", "serve"],
            cwd=REPO,
            env=full_env,
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"easel serve exited:\n{self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"easel serve did not come up:\n{self.log_path.read_text()}")
        self.api_key = (data_dir / "api_key").read_text().strip()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """`easel serve` with its defaults: the shipped unclip weights, SQLite, the embedded worker."""
    srv = Server(tmp_path_factory.mktemp("easel-e2e"), {})
    yield srv
    srv.stop()

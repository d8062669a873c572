"""The distributed deployment, for real: a redis-server of our own (so a test can stop and restart it), a
PostgreSQL schema of our own (dropped afterwards), `easel migrate`, `easel api` and `easel worker` as separate
processes started with the same commands as docker-compose.yml, and a tiny random Kandinsky 2.2 as the model.

Short leases and a fast re-dispatcher keep fault recovery to seconds: a killed worker's job is requeued
JOB_LEASE_SECONDS after its last step.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from tests.conftest import postgres_schema, wait_for

REPO = Path(__file__).resolve().parents[2]
MODEL = "kandinsky-2.2"
# Accepted by the API, served by no worker in these tests, except test_batching's (the tiny unclip: the model that
# samples a batch as one), which leave its queue empty.
UNSERVED_MODEL = "unclip"
JOB_LEASE_SECONDS = 5
MAX_ATTEMPTS = 2
REDISPATCH_INTERVAL = 0.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A process in its own process group, so a kill takes the Celery parent and its pool children together."""

    def __init__(self, name: str, args: list[str], env: dict, log_path: Path):
        self.name, self.log_path = name, log_path
        self._log = open(log_path, "ab")
        self.popen = subprocess.Popen(
            args, env=env, cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 20.0) -> None:
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)
        # Pool children of a killed Celery parent: gone with the group, but reap any straggler.
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._log.close()

    def owns(self, pid: int) -> bool:
        try:
            return os.getpgid(pid) == self.popen.pid
        except ProcessLookupError:
            return False

    def log_lines(self) -> list[dict]:
        lines = []
        for raw in self.log_path.read_text(errors="replace").splitlines():
            if raw.startswith("{"):
                try:
                    lines.append(json.loads(raw))
                except json.JSONDecodeError:
                    pass
        return lines


class RedisServer:
    """Our own redis-server on a spare port, with an append-only file as docker-compose.yml configures it."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        self.popen = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=open(self.workdir / "redis.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        wait_for(lambda: self._ping(client), 10, "redis-server did not start")

    @staticmethod
    def _ping(client) -> bool:
        try:
            return client.ping()
        except Exception:
            return False

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()  # SIGTERM: redis flushes the append-only file and exits
            self.popen.wait(10)

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=2)


class Stack:
    """API process + any number of worker processes on one Redis and one PostgreSQL schema."""

    def __init__(self, workdir: Path, redis_server: RedisServer, database_url: str, model_path: Path, api_port: int,
                 unclip_path: Path | None = None, s3: "S3Target | None" = None):
        self.workdir = workdir
        # With S3 storage every process gets a data folder of its own: nothing is shared but the bucket.
        self.s3 = s3
        self.redis = redis_server
        self.database_url = database_url
        self.data_dir = workdir / "data"
        self.base_url = f"http://127.0.0.1:{api_port}"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "EASEL_BROKER_URL": redis_server.url,
            "EASEL_DATABASE_URL": database_url,
            "EASEL_DATA_DIR": str(self.data_dir),
            "EASEL_MODELS": f"{MODEL},{UNSERVED_MODEL}",
            "EASEL_KANDINSKY_PATH": str(model_path),
            "EASEL_DEVICE": "cpu",
            "EASEL_SECRET_KEY": "distributed-test",
            "EASEL_HOST": "127.0.0.1",
            "EASEL_PORT": str(api_port),
            "EASEL_JOB_LEASE_SECONDS": str(JOB_LEASE_SECONDS),
            "EASEL_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
            "EASEL_REDISPATCH_INTERVAL_SECONDS": str(REDISPATCH_INTERVAL),
            "EASEL_SYNC_TIMEOUT_SECONDS": "120",
            # Two cores, shared: one thread per process keeps everyone moving (torch's threads wait for each
            # other at every operation, which on an oversubscribed machine made a tiny unclip step take seconds).
            "OMP_NUM_THREADS": "1",
            "EASEL_TORCH_THREADS": "1",
        }
        if s3 is not None:
            self.env.update(s3.env)
        if unclip_path is not None:  # the tiny unclip, for test_batching's workers
            self.env["EASEL_UNCLIP_PATH"] = str(unclip_path)
        self.api: Proc | None = None
        self.workers: list[Proc] = []
        self.started_workers = 0
        self.engine = create_engine(database_url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.key = ""
        self.http: httpx.Client | None = None

    def easel(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "easel.cli", *args]

    def start_api(self) -> None:
        # The prestart step, as the compose file's one-shot `migrate` service runs it.
        subprocess.run(self.easel("migrate"), env=self.env, cwd=REPO, check=True, capture_output=True, timeout=120)
        self.api = Proc("api", self.easel("api"), self.env, self.workdir / "api.log")
        wait_for(self._healthy, 60, f"the API did not start; log: {self.workdir / 'api.log'}", interval=0.3)
        self.key = (self.data_dir / "api_key").read_text().strip()
        self.http = httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {self.key}"}, timeout=60)

    def _healthy(self) -> bool:
        assert self.api.alive(), (self.workdir / "api.log").read_text()[-3000:]
        try:
            return httpx.get(self.base_url + "/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def start_worker(self, model: str = MODEL, env: dict | None = None) -> Proc:
        self.started_workers += 1
        name = f"worker{self.started_workers}"
        env = {**self.env, **(env or {})}
        if self.s3 is not None:
            env["EASEL_DATA_DIR"] = str(self.workdir / f"{name}-data")
        proc = Proc(name, self.easel("worker", "--model", model, "--concurrency", "1"), env,
                    self.workdir / f"{name}.log")
        self.workers.append(proc)
        return proc

    def worker_running(self, job_id: str) -> Proc:
        """The worker process whose pool child holds the job (worker_id is host:pid:suffix)."""
        job = self.job(job_id)
        pid = int(job.worker_id.split(":")[1])
        for proc in self.workers:
            if proc.alive() and proc.owns(pid):
                return proc
        raise AssertionError(f"no live worker owns pid {pid} ({job.worker_id})")

    def stop_workers(self) -> None:
        for proc in self.workers:
            if proc.alive():
                proc.kill(signal.SIGTERM)
        self.workers = []

    def submit(self, steps: int, seed: int | None = None, model: str = MODEL, prompt: str = "a horse",
               headers: dict | None = None) -> dict:
        body = {"prompt": prompt, "size": "256x256", "steps": steps, "model": model}
        if seed is not None:
            body["seed"] = seed
        response = self.http.post("/v1/jobs/generations", json=body, headers=headers or {})
        assert response.status_code == 202, response.text
        return response.json()

    def job(self, job_id: str):
        from core import tables

        with self.sessions() as session:
            job = session.get(tables.Job, job_id)
            job.images  # load while the session is open
            return job

    def images(self, job_id: str):
        from core import tables

        with self.sessions() as session:
            return session.scalars(select(tables.Image).where(tables.Image.job_id == job_id).order_by(tables.Image.index)).all()

    def output_files(self, job_id: str) -> list:
        """The job's stored images (objects with read_bytes(), as a Path has)."""
        if self.s3 is not None:
            return self.s3.objects(f"outputs/{job_id}/")
        folder = self.data_dir / "images" / "outputs" / job_id
        return sorted(p for p in folder.glob("*") if not p.name.startswith(".")) if folder.exists() else []

    def wait_status(self, job_id: str, statuses: set[str], timeout: float = 90):
        return wait_for(
            lambda: (job := self.job(job_id)).status in statuses and job, timeout,
            f"job {job_id} never reached {statuses} (now {self.job(job_id).status})",
        )

    def wait_running(self, job_id: str, min_step: int = 1, attempt: int = 1, timeout: float = 90):
        def ready():
            job = self.job(job_id)
            return job.status == "running" and job.attempts == attempt and job.progress_step >= min_step and job

        return wait_for(ready, timeout, f"job {job_id} never ran past step {min_step} in attempt {attempt}")

    def wait_for_queue(self, model: str, length: int, timeout: float = 30) -> None:
        from worker.celery_app import queue_for

        wait_for(lambda: self.redis.client().llen(queue_for(model)) == length, timeout,
                 f"queue {queue_for(model)} never held {length} message(s)")

    def worker_log(self) -> list[dict]:
        return [line for proc in self.workers for line in proc.log_lines()]

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
        self.stop_workers()
        if self.api is not None and self.api.alive():
            self.api.kill(signal.SIGTERM)
        self.engine.dispose()


class S3Object:
    def __init__(self, target: "S3Target", key: str):
        self.target, self.key = target, key

    def read_bytes(self) -> bytes:
        return self.target.weed.read(self.target.bucket, self.key)


class S3Target:
    """A bucket on the test S3 server, and the settings that point Easel's processes at it."""

    def __init__(self, weed, bucket: str, prefix: str = "easel"):
        self.weed, self.bucket, self.prefix = weed, bucket, prefix
        self.env = {**weed.env(), "EASEL_STORAGE_URL": f"s3://{bucket}/{prefix}"}

    def objects(self, under: str) -> list[S3Object]:
        return [S3Object(self, key) for key in self.weed.keys(self.bucket, f"{self.prefix}/{under}")]


@contextmanager
def running_redis(workdir: Path):
    server = RedisServer(workdir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    if shutil.which("redis-server") is None:
        pytest.fail("the distributed tests need the redis-server binary (they stop and restart their own Redis)")
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of the test's own, for re-dispatchers built in the test: on the shared one they would race the stack's
    API node for the leader key, and a test that removes the broker marker would make that node send its jobs again."""
    workdir = tmp_path / "private-redis"
    workdir.mkdir()
    with running_redis(workdir) as server:
        yield server


@pytest.fixture(scope="session")
def distributed_database_url():
    """A PostgreSQL schema of our own, dropped at the end."""
    with postgres_schema("easel_dist") as url:
        yield url


@pytest.fixture(scope="session")
def stack(tmp_path_factory, redis_server, distributed_database_url, tiny_kandinsky, tiny_unclip_dir):
    s = Stack(tmp_path_factory.mktemp("stack"), redis_server, distributed_database_url, tiny_kandinsky, free_port(),
              tiny_unclip_dir)
    try:
        s.start_api()
        yield s
    finally:
        s.close()


@pytest.fixture(scope="session")
def s3_stack(tmp_path_factory, weed, tiny_kandinsky):
    """A second deployment, on S3 storage, with a Redis and a PostgreSQL schema of its own: its API node and each
    of its workers have different data folders."""
    redis_server = RedisServer(tmp_path_factory.mktemp("redis-s3"))
    redis_server.start()
    try:
        with postgres_schema("easel_dist_s3") as database_url:
            target = S3Target(weed, weed.new_bucket())
            s = Stack(tmp_path_factory.mktemp("stack-s3"), redis_server, database_url, tiny_kandinsky, free_port(),
                      s3=target)
            try:
                s.start_api()
                yield s
            finally:
                s.close()
    finally:
        redis_server.stop()


@pytest.fixture
def dist(stack):
    """The stack, with this test's workers stopped afterwards and Redis up again even if the test failed."""
    yield stack
    stack.stop_workers()
    if stack.redis.popen.poll() is not None:
        stack.redis.start()


def pytest_configure(config):
    config.addinivalue_line("markers", "distributed: real Celery workers, API process, Redis and PostgreSQL")

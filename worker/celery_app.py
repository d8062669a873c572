"""Distributed mode: Celery on Redis.

    API nodes (`easel api`)  --job id-->  Redis list "easel.<model>"  -->  `easel worker --model <model>`

- The broker only carries job ids; the job row in the database is the truth (see core/dispatch.py).
- One queue per model: a worker consumes its model's queue only, so a job for a model that no worker serves
  waits in that queue (and shows as queued), it is never taken by a worker that cannot run it.
- acks_late + reject_on_worker_lost + prefetch 1: a message is acknowledged only after its job ran, and a
  worker holds no more than the job it is running.
- Crash safety does not rest on broker redelivery (the Redis visibility timeout must be longer than the longest
  job, so redelivery after a crash takes that long). A running job holds a short lease renewed once a second;
  the re-dispatcher (worker/redispatcher.py, a thread in each `easel api`) requeues a job whose lease ran out and
  sends it again. A message that arrives for a job someone else holds is dropped: the lease covers it.
- Progress and status events go through Redis pub/sub (RedisJobEvents), so an API node follows a job that runs
  in another process; a cancel is the job row's flag, signalled to the workers the same way so that the job
  stops at its next step (the worker reads the flag itself once a second, should the signal be lost).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading

import redis
from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown

from core.config import Settings
from core.events import LocalJobEvents

log = logging.getLogger("easel.worker")
dispatch_log = logging.getLogger("easel.dispatch")

TASK_NAME = "easel.run_job"
EVENT_CHANNEL_PREFIX = "easel:job:"
CANCEL_CHANNEL = "easel:cancel"
# Loading a model in worker_process_init can take minutes (real weights, first CUDA init); Celery's default
# (4 s) would kill the child process while it loads.
PROCESS_INIT_TIMEOUT = 900.0


def queue_for(model: str) -> str:
    return f"easel.{model}"


def time_limits(settings: Settings) -> tuple[int, int, int]:
    """(soft, hard, visibility timeout) in seconds. Redis redelivers an unacknowledged message after the
    visibility timeout, so it is kept above the hard limit: Redis never hands out a job that is still running."""
    soft = settings.job_time_limit_seconds
    hard = soft + 60
    return soft, hard, hard + 600


def make_celery(settings: Settings) -> Celery:
    soft, hard, visibility = time_limits(settings)
    app = Celery("easel", broker=settings.broker_url, backend=settings.broker_url, include=["worker.tasks"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=soft,
        task_time_limit=hard,
        broker_transport_options={"visibility_timeout": visibility, "socket_connect_timeout": 3},
        result_backend_transport_options={"visibility_timeout": visibility},
        # The job row holds the outcome; nothing reads Celery results.
        task_ignore_result=True,
        task_default_queue=queue_for(settings.resolved_default_model),
        task_create_missing_queues=True,
        # A request must not hang while Redis is down: fail fast, the outbox sends the job later.
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5},
        broker_connection_timeout=3,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a worker waits for Redis to come back, however long
        worker_proc_alive_timeout=PROCESS_INIT_TIMEOUT,
        worker_hijack_root_logger=False,  # keep Easel's JSON logs
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    return app


class CeleryDispatcher:
    """Sends a job id to its model's queue. Raises when Redis cannot take it (the job stays in the outbox)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.app = make_celery(settings)
        self._redis = redis.Redis.from_url(settings.broker_url, socket_connect_timeout=2, socket_timeout=2)

    def dispatch(self, job_id: str, model: str) -> None:
        self.app.send_task(TASK_NAME, args=[job_id], queue=queue_for(model))
        dispatch_log.info("job sent to queue %s", queue_for(model), extra={"job_id": job_id, "model": model})

    def ping(self) -> None:
        self._redis.ping()

    def queue_lengths(self, models: list[str]) -> dict[str, int]:
        """Messages waiting in each model's queue (kombu keeps a queue as a Redis list named after it)."""
        with self._redis.pipeline() as pipe:
            for model in models:
                pipe.llen(queue_for(model))
            return dict(zip(models, pipe.execute()))


class RedisJobEvents:
    """Job events across processes: workers publish to "easel:job:<id>"; each API node keeps one pattern
    subscription on a thread and hands events to its local subscribers (the same fan-out as the embedded mode).
    Cancel signals go the other way, API to workers, on "easel:cancel"; each worker process subscribes.

    Events and signals only make things faster: if Redis is down, publish logs and moves on, followers see the
    job row on their periodic re-read, and workers read the row's cancel flag with each progress write."""

    def __init__(self, url: str, listen: bool = True, cancels: bool = False):
        """listen: follow job events (API nodes). cancels: take cancel signals (worker processes)."""
        self.url = url
        self.listen, self.cancels = listen, cancels
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._local = LocalJobEvents()
        self._stop = threading.Event()
        self.connected = threading.Event()
        self._thread: threading.Thread | None = None
        if listen or cancels:
            self._thread = threading.Thread(target=self._listen, name="easel-events", daemon=True)
            self._thread.start()

    def publish(self, job_id: str, event: dict) -> None:
        try:
            self._redis.publish(EVENT_CHANNEL_PREFIX + job_id, json.dumps(event))
        except redis.RedisError as exc:
            log.warning("job event not published (Redis): %s", exc, extra={"job_id": job_id})

    def subscribe(self, job_id: str, progress: bool = True):
        return self._local.subscribe(job_id, progress)

    def request_cancel(self, job_id: str) -> None:
        try:
            self._redis.publish(CANCEL_CHANNEL, job_id)
        except redis.RedisError as exc:
            log.warning("cancel not signalled (Redis): %s", exc, extra={"job_id": job_id})

    def cancel_requested(self, job_id: str) -> bool:
        return self._local.cancel_requested(job_id)

    def close(self) -> None:
        self._stop.set()

    def _listen(self) -> None:
        while not self._stop.is_set():
            pubsub = None
            try:
                client = redis.Redis.from_url(self.url, socket_connect_timeout=2, health_check_interval=10)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                if self.listen:
                    pubsub.psubscribe(EVENT_CHANNEL_PREFIX + "*")
                if self.cancels:
                    pubsub.subscribe(CANCEL_CHANNEL)
                self.connected.set()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "pmessage":
                        job_id = message["channel"].decode()[len(EVENT_CHANNEL_PREFIX):]
                        self._local.publish(job_id, json.loads(message["data"]))
                    elif message and message.get("type") == "message":
                        self._local.request_cancel(message["data"].decode())
            except Exception as exc:  # Redis went away: followers poll the rows until it is back
                if self.connected.is_set():
                    log.warning("job events: lost Redis (%s); reconnecting", exc)
                self.connected.clear()
                self._stop.wait(1.0)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:
                        pass


# --- the worker process -----------------------------------------------------------------------------------------

# Set by run_worker in the parent; the forked pool processes inherit it and build their runner from it.
_worker_config: tuple[Settings, str] | None = None
_runner = None


def current_runner():
    """This process's JobRunner, with its model loaded (built once, in worker_process_init)."""
    global _runner
    if _runner is None:
        _runner = _build_runner()
    return _runner


def _build_runner():
    from core.services import Services
    from models.registry import load_backend
    from safety import get_policy
    from worker.runner import BackendPool, JobRunner

    if _worker_config is None:
        raise RuntimeError("this process was not started by `easel worker`")
    settings, model = _worker_config
    try:  # progress bars from model loading would interleave with the JSON logs
        from diffusers.utils import logging as diffusers_logging

        diffusers_logging.disable_progress_bar()
    except ImportError:
        pass
    services = Services.from_settings(settings)
    backends = BackendPool(lambda name: load_backend(name, settings))
    backends.get(model)  # the slow part, once per process and before the first task
    policy = get_policy(settings.policy_file)
    policy.warm_up()
    runner = JobRunner(
        sessions=services.sessions,
        storage=services.storage,
        backends=backends,
        policy=policy,
        settings=settings,
        events=RedisJobEvents(settings.broker_url, listen=False, cancels=True),
    )
    log.info("worker process ready", extra={"model": model, "worker_id": runner.worker_id})
    return runner


@worker_process_init.connect
def _load_model(**_kwargs) -> None:
    if _worker_config is not None:
        current_runner()


@worker_process_shutdown.connect
def _close(**_kwargs) -> None:
    if _runner is not None:
        _runner.events.close()
        _runner.sessions.kw["bind"].dispose()


def run_worker(settings: Settings, model: str | None = None, concurrency: int = 1) -> None:
    """`easel worker`: consume one model's queue. One worker per GPU with --concurrency 1 is the usual shape;
    each pool process holds its own copy of the model."""
    from core.logs import configure_logging
    from models.registry import KNOWN_MODELS

    global _worker_config
    if not settings.broker_url:
        raise SystemExit("`easel worker` needs EASEL_BROKER_URL (Redis), e.g. redis://localhost:6379/0")
    model = model or settings.resolved_default_model
    if model not in KNOWN_MODELS:
        raise SystemExit(f"unknown model {model!r}; known: {', '.join(KNOWN_MODELS)}")
    configure_logging()
    _worker_config = (settings, model)
    app = make_celery(settings)
    log.info("worker starting on queue %s", queue_for(model), extra={"model": model})
    app.worker_main(
        [
            "worker",
            f"--queues={queue_for(model)}",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            f"--hostname={model}-{os.getpid()}@{socket.gethostname()}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ]
    )

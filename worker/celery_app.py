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
- Progress and status events go through Redis pub/sub, so an API node follows a job that runs in another
  process; a cancel is the job row's flag, signalled to the workers the same way so that the job stops at its
  next step (the worker reads the flag itself once a second, should the signal be lost). The Redis side of all
  this (dispatcher, events, signals, leader lock) is worker/broker.py.
"""

from __future__ import annotations

import logging
import os
import socket

from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown

from core.config import Settings

log = logging.getLogger("easel.worker")

TASK_NAME = "easel.run_job"
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
    from worker.broker import RedisJobEvents
    from worker.runner import build_runner

    if _worker_config is None:
        raise RuntimeError("this process was not started by `easel worker`")
    settings, model = _worker_config
    try:  # progress bars from model loading would interleave with the JSON logs
        from diffusers.utils import logging as diffusers_logging

        diffusers_logging.disable_progress_bar()
    except ImportError:
        pass
    events = RedisJobEvents(settings.broker_url, listen=False, cancels=True)
    runner = build_runner(settings, Services.from_settings(settings), events)
    runner.backends.get(model)  # the slow part, once per process and before the first task
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

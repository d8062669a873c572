"""Everything Redis, for the distributed mode: the client factory, the dispatcher that puts job ids on the
broker, job events and cancel signals over pub/sub, and the re-dispatcher's leader lock.

API nodes and workers reach each other only through this module and the database.
"""

from __future__ import annotations

import json
import logging
import threading

import redis

from core.config import Settings
from core.events import LocalJobEvents
from worker.celery_app import TASK_NAME, make_celery, queue_for

log = logging.getLogger("easel.worker")
dispatch_log = logging.getLogger("easel.dispatch")

EVENT_CHANNEL_PREFIX = "easel:job:"
CANCEL_CHANNEL = "easel:cancel"
LEADER_KEY = "easel:redispatcher:leader"
# Set once in the broker; if it is gone, the broker lost its data (restarted without persistence, flushed) and
# with it the messages of queued jobs, so they are all sent again (a message that survived anyway is harmless:
# a job is claimed once).
BROKER_MARKER_KEY = "easel:broker:marker"
# Renew or release the key only if we still hold it.
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def redis_client(url: str, timeout: float = 2.0, **kwargs) -> redis.Redis:
    """Short timeouts: a request or a pass must not hang while Redis is down."""
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout, **kwargs)


class CeleryDispatcher:
    """Sends a job id to its model's queue. Raises when Redis cannot take it (the job stays in the outbox)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.app = make_celery(settings)
        self._redis = redis_client(settings.broker_url)

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
        self._redis = redis_client(url)
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
                client = redis.Redis.from_url(self.url, socket_connect_timeout=2, health_check_interval=10)  # no read timeout: it blocks on pub/sub
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


class LeaderLock:
    """One node at a time: a key the holder renews each pass and that expires if it stops."""

    def __init__(self, client: redis.Redis, node_id: str, ttl_seconds: float):
        self._redis, self.node_id, self._ttl_ms = client, node_id, int(ttl_seconds * 1000)

    def acquire(self) -> bool:
        """Take or renew the lock; raises redis.RedisError when Redis is down."""
        if self._redis.set(LEADER_KEY, self.node_id, nx=True, px=self._ttl_ms):
            return True
        return bool(self._redis.eval(_RENEW, 1, LEADER_KEY, self.node_id, self._ttl_ms))

    def release(self) -> None:
        try:
            self._redis.eval(_RELEASE, 1, LEADER_KEY, self.node_id)
        except redis.RedisError:
            pass

    def broker_was_reset(self) -> bool:
        """True once after the broker lost its data (the marker key is gone): its queued messages are lost too."""
        return bool(self._redis.set(BROKER_MARKER_KEY, self.node_id, nx=True))

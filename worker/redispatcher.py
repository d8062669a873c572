"""The distributed mode's re-dispatcher: a thread in each `easel api` node that, every few seconds,

- requeues running jobs whose lease ran out (their worker died), or fails them after max_attempts;
- sends every queued job the broker never got (Redis was down when it was accepted): the outbox.

Only one node acts at a time: the leader holds a Redis key that it renews each pass and that expires if it
stops (a node that dies hands over within three intervals). Every state change is a conditional UPDATE and a
worker claims a job with one, so even two passes at once could not run a job twice; the lock keeps the queue
free of duplicate messages. While Redis is down nothing can be sent, and lease recovery still runs on every node
(its updates are safe to race).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

import redis
from sqlalchemy.orm import Session, sessionmaker

from core import jobs
from core.config import Settings
from core.dispatch import Dispatcher, redispatch_pending

log = logging.getLogger("easel.redispatcher")

LEADER_KEY = "easel:redispatcher:leader"
# Set once in the broker; if it is gone, the broker lost its data (restarted without persistence, flushed) and
# with it the messages of queued jobs, so they are all sent again (a message that survived anyway is harmless:
# a job is claimed once).
BROKER_MARKER_KEY = "easel:broker:marker"
# Renew the key only if we still hold it.
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"


class Redispatcher:
    def __init__(self, sessions: sessionmaker[Session], dispatcher: Dispatcher, settings: Settings):
        self.sessions = sessions
        self.dispatcher = dispatcher
        self.settings = settings
        self.interval = settings.redispatch_interval_seconds
        self.node_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._redis = redis.Redis.from_url(settings.broker_url, socket_connect_timeout=2, socket_timeout=2)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._broker_down = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="easel-redispatcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        try:
            self._redis.eval(
                "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
                1, LEADER_KEY, self.node_id,
            )
        except redis.RedisError:
            pass

    def is_leader(self) -> bool:
        ttl_ms = int(max(3 * self.interval, 2.0) * 1000)
        if self._redis.set(LEADER_KEY, self.node_id, nx=True, px=ttl_ms):
            return True
        return bool(self._redis.eval(_RENEW, 1, LEADER_KEY, self.node_id, ttl_ms))

    def run_once(self) -> int:
        """One pass. Returns how many jobs were sent."""
        try:
            leader = self.is_leader()
        except redis.RedisError as exc:
            if not self._broker_down:
                log.warning("broker unreachable (%s); jobs stay recorded and are sent once it is back", exc)
            self._broker_down = True
            with self.sessions() as session:
                jobs.recover_expired_jobs(session, self.settings.max_attempts)
            return 0
        if self._broker_down:
            log.info("broker reachable again")
            self._broker_down = False
        if not leader:
            return 0
        if self._redis.set(BROKER_MARKER_KEY, self.node_id, nx=True):
            with self.sessions() as session:
                lost = jobs.forget_dispatches(session)
            if lost:
                log.warning("the broker has lost its data; sending %d queued job(s) again", lost)
        with self.sessions() as session:
            requeued = jobs.recover_expired_jobs(session, self.settings.max_attempts)
        for job_id in requeued:
            log.warning("job's lease ran out (its worker died); queued again", extra={"job_id": job_id})
        sent = redispatch_pending(self.sessions, self.dispatcher, self.settings.max_attempts)
        if sent:
            log.info("re-dispatched %d queued job(s)", sent)
        return sent

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once()
            except Exception:
                log.exception("re-dispatch pass failed")

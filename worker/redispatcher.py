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
from core.dispatch import Dispatcher, redispatch_pending, requeue_expired
from core.retention import RetentionSweep
from core.storage import Storage
from worker.broker import LeaderLock, redis_client

log = logging.getLogger("easel.redispatcher")


class Redispatcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        dispatcher: Dispatcher,
        settings: Settings,
        storage: Storage | None = None,
    ):
        self.sessions = sessions
        # The leader also runs the retention sweep (EASEL_RETENTION_DAYS), so one node at a time deletes.
        self.retention = RetentionSweep(sessions, storage, settings) if storage is not None else None
        self.dispatcher = dispatcher
        self.settings = settings
        self.interval = settings.redispatch_interval_seconds
        node_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lock = LeaderLock(redis_client(settings.broker_url), node_id, ttl_seconds=max(3 * self.interval, 2.0))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._broker_down = False

    def start(self) -> None:
        # Before the node takes its first job: a broker found without its marker lost what was sent to it, and the
        # jobs accepted from now on go to this one. Left to the first pass, jobs accepted in between were sent twice.
        try:
            self._resend_if_broker_reset()
        except redis.RedisError:
            pass  # the loop notices the broker once it is back
        self._thread = threading.Thread(target=self._loop, name="easel-redispatcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.lock.release()

    def run_once(self) -> int:
        """One pass. Returns how many jobs were sent."""
        try:
            leader = self.lock.acquire()
        except redis.RedisError as exc:
            if not self._broker_down:
                log.warning("broker unreachable (%s); jobs stay recorded and are sent once it is back", exc)
            self._broker_down = True
            requeue_expired(self.sessions, self.settings.max_attempts)  # sent once the broker is back
            return 0
        if self._broker_down:
            log.info("broker reachable again")
            self._broker_down = False
        if not leader:
            return 0
        self._resend_if_broker_reset()
        sent = redispatch_pending(self.sessions, self.dispatcher, self.settings.max_attempts)
        if sent:
            log.info("re-dispatched %d queued job(s)", sent)
        if self.retention is not None:
            try:
                self.retention.run_if_due()
            except Exception:  # the store is down: the next pass tries again, the re-dispatch above is done
                log.exception("retention sweep failed")
        return sent

    def _resend_if_broker_reset(self) -> None:
        if self.lock.broker_was_reset():
            with self.sessions() as session:
                lost = jobs.forget_dispatches(session)
            if lost:
                log.warning("the broker has lost its data; sending %d queued job(s) again", lost)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once()
            except Exception:
                log.exception("re-dispatch pass failed")

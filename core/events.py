"""Job events for whoever follows a job (a synchronous request, an SSE stream): status changes and each
sampling step, as small dicts {"status", "step", "total"}.

Cancel requests travel the same way, the other direction: the API signals the job's worker, which checks for
the signal at every sampling step (an in-memory lookup; reading the job row each step cost ~1 ms on SQLite and
a round trip on PostgreSQL) and reads the row's cancel flag only with its once-a-second progress write.

The job row stays the truth; an event or a signal only arrives sooner. Followers also re-read the row on a
timeout and workers with each progress write, so a lost one costs latency, never correctness. The embedded
mode uses LocalJobEvents (one process); the distributed mode goes through Redis (RedisJobEvents in
worker/broker.py).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from typing import Protocol


CANCEL_SIGNAL_SECONDS = 3600.0


class Subscription(Protocol):
    async def get(self, timeout: float) -> dict | None:
        """The next event, or None after `timeout` seconds without one."""

    def close(self) -> None: ...


class JobEvents(Protocol):
    def publish(self, job_id: str, event: dict) -> None: ...

    def subscribe(self, job_id: str, progress: bool = True) -> Subscription:
        """progress=False: no "running" events (one per sampling step), only the other changes of status."""

    def request_cancel(self, job_id: str) -> None:
        """Signal the job's worker; called after the row's cancel flag is committed."""

    def cancel_requested(self, job_id: str) -> bool:
        """Has a cancel been signalled for this job (to this process)?"""


class _LocalSubscription:
    def __init__(self, owner: "LocalJobEvents", job_id: str, progress: bool):
        self.owner, self.job_id, self.progress = owner, job_id, progress
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[dict] = asyncio.Queue()

    async def get(self, timeout: float) -> dict | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            return None

    def close(self) -> None:
        self.owner._remove(self)


class LocalJobEvents:
    """For the embedded mode: the worker thread and the API share one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: dict[str, set[_LocalSubscription]] = defaultdict(set)
        self._cancels: dict[str, float] = {}  # job id -> when its cancel was signalled (monotonic)

    def publish(self, job_id: str, event: dict) -> None:
        with self._lock:
            subscriptions = list(self._subscriptions.get(job_id, ()))
        for sub in subscriptions:
            # Waking an event loop for a step nobody reads costs the model a core for a moment, every step.
            if not sub.progress and event.get("status") == "running":
                continue
            try:
                sub.loop.call_soon_threadsafe(sub.queue.put_nowait, event)
            except RuntimeError:  # that loop is closed; its subscriber is gone
                pass

    def request_cancel(self, job_id: str) -> None:
        now = time.monotonic()
        with self._lock:
            # A signal matters for one job run at most; an hour-old one is forgotten, so the dict stays small.
            self._cancels = {j: t for j, t in self._cancels.items() if now - t < CANCEL_SIGNAL_SECONDS}
            self._cancels[job_id] = now

    def cancel_requested(self, job_id: str) -> bool:
        return job_id in self._cancels

    def subscribe(self, job_id: str, progress: bool = True) -> _LocalSubscription:
        sub = _LocalSubscription(self, job_id, progress)
        with self._lock:
            self._subscriptions[job_id].add(sub)
        return sub

    def _remove(self, sub: _LocalSubscription) -> None:
        with self._lock:
            subs = self._subscriptions.get(sub.job_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subscriptions[sub.job_id]

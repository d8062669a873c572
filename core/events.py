"""Job events for whoever follows a job (a synchronous request, an SSE stream): status changes and each
sampling step, as small dicts {"status", "step", "total"}.

The job row stays the truth; an event only arrives sooner. Followers also re-read the row on a timeout, so a
lost event costs latency, never correctness. The embedded mode uses LocalJobEvents (one process); the
distributed mode publishes through Redis (worker/redis_events.py).
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from typing import Protocol


class Subscription(Protocol):
    async def get(self, timeout: float) -> dict | None:
        """The next event, or None after `timeout` seconds without one."""

    def close(self) -> None: ...


class JobEvents(Protocol):
    def publish(self, job_id: str, event: dict) -> None: ...

    def subscribe(self, job_id: str, progress: bool = True) -> Subscription:
        """progress=False: no "running" events (one per sampling step), only the other changes of status."""


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

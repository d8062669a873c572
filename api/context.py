"""Everything a request handler needs, built once per app in the lifespan."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from core.dispatch import Dispatcher
from core.events import JobEvents
from core.services import Services


class RateLimiter:
    """Requests per minute per API key, in this process (a sliding window)."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def retry_after(self, key_id: str) -> int | None:
        """None if the request may go ahead (and counts it), else seconds until it may."""
        if self.per_minute <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key_id]
            while hits and hits[0] <= now - 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1, int(60 - (now - hits[0])) + 1)
            hits.append(now)
            return None


@dataclass
class AppContext:
    services: Services
    policy: object  # safety.ContentPolicy
    events: JobEvents
    dispatcher: Dispatcher
    rate_limiter: RateLimiter
    served_models: list[str] = field(default_factory=list)

    @property
    def settings(self):
        return self.services.settings

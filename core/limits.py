"""Per-key request limits, checked by the job service before a request's body is read."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from core.errors import APIError


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

    def check(self, key_id: str) -> None:
        wait = self.retry_after(key_id)
        if wait is not None:
            raise APIError(
                429,
                f"Rate limit reached for images: {self.per_minute} requests per minute. Try again in {wait}s.",
                type="requests",
                code="rate_limit_exceeded",
                headers={"Retry-After": str(wait)},
            )

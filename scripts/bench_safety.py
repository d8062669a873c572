"""Latency of the content-policy checks.

    python scripts/bench_safety.py            # median / p90 of check_prompt, check_upload, check_outputs

Models are warmed first (they load once per process); each prompt is timed separately, as the API
calls it: one prompt per request.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from safety import load_policy  # noqa: E402
from safety.evaluate import load_multilingual  # noqa: E402
from safety.train_classifier import load_rows  # noqa: E402


def timed(fn, items, repeat=1):
    """Wall-clock and CPU milliseconds per call. On a shared, busy machine the CPU time is what the
    call would take with a core to itself (the checks run on one thread)."""
    wall, cpu = [], []
    for _ in range(repeat):
        for item in items:
            t0, c0 = time.perf_counter(), time.process_time()
            fn(item)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def scene(size: int, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    im = Image.new("RGB", (size, size), tuple(int(v) for v in rng.integers(0, 255, 3)))
    d = ImageDraw.Draw(im)
    for _ in range(12):
        x, y = rng.integers(0, size, 2)
        r = int(rng.integers(size // 20, size // 4))
        d.ellipse([x - r, y - r, x + r, y + r], fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    return im


def report(name, times):
    wall, cpu = (sorted(t) for t in times)
    print(
        f"{name:<28} n={len(wall):<4} wall median {statistics.median(wall):6.1f} ms  p90 {wall[int(len(wall) * 0.9)]:6.1f} ms"
        f"   cpu median {statistics.median(cpu):6.1f} ms"
    )


def main():
    policy = load_policy(None)
    policy.warm_up()
    prompts = [r["prompt"] for r in load_rows("heldout")]
    print(f"cpus: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.1f}")
    report("check_prompt (all)", timed(policy.check_prompt, prompts))
    benign = [r["prompt"] for r in load_rows("heldout") if r["label"] == "allow"]
    report("check_prompt (benign)", timed(policy.check_prompt, benign))
    # Prompts in the ten other languages: language identification + gloss + the same English checks.
    other = [r["prompt"] for r in load_multilingual("heldout") if r["lang"] != "en-roles"]
    report("check_prompt (other langs)", timed(policy.check_prompt, other))
    report("check_prompt (en + other)", timed(policy.check_prompt, prompts + other))
    for size in (256, 512, 1024):
        images = [scene(size, s) for s in range(10)]
        report(f"check_upload {size}x{size}", timed(policy.check_upload, images, repeat=2))
        batches = [images[i : i + 4] for i in range(0, 8, 4)]  # a job's n=4 outputs, checked together
        report(f"check_outputs 4x{size}x{size}", timed(policy.check_outputs, batches, repeat=4))


if __name__ == "__main__":
    main()

"""Benchmark the shipped unCLIP model: median seconds for one 256x256 image and for n=4, default steps, and for
an edit (n=4) of a picture on an off-palette background (the edit path's colour matching included).

    HF_HUB_OFFLINE=1 python scripts/bench_unclip.py [--weights models/unclip/weights] [--repeats 5] [--threads 2]

Prints one line per case. Model loading and one warm-up call are excluded (the service keeps the model loaded).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", default="models/unclip/weights")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: the backend's choice)")
    args = parser.parse_args()

    import torch

    from models.backend import BackendRequest
    from models.unclip import UnclipBackend

    backend = UnclipBackend.from_pretrained(args.weights, threads=args.threads)
    prompt = "a small blue star in the top left corner on a white background"
    backend.generate(BackendRequest(prompt=prompt, n=1, size=256, seed=0))  # warm-up
    print(f"torch threads: {torch.get_num_threads()}, cpu count: {os.cpu_count()}, "
          f"load average: {os.getloadavg()[0]:.1f}")
    import numpy as np
    from PIL import Image

    picture = Image.new("RGB", (256, 256), (85, 107, 47))
    mask = np.zeros((256, 256), np.float32)
    mask[64:192, 64:192] = 1
    for n, target in ((1, 1.0), (4, 2.5)):
        times = []
        for r in range(args.repeats):
            start = time.perf_counter()
            backend.generate(BackendRequest(prompt=prompt, n=n, size=256, seed=r))
            times.append(time.perf_counter() - start)
        print(f"n={n} 256x256: median {statistics.median(times):.2f} s over {args.repeats} runs "
              f"(min {min(times):.2f}, target <= {target:.1f} s)")
    times = []
    for r in range(args.repeats):
        start = time.perf_counter()
        backend.edit(BackendRequest(image=picture, mask=mask, prompt="a red star", n=4, size=256, seed=r))
        times.append(time.perf_counter() - start)
    print(f"edit n=4 256x256: median {statistics.median(times):.2f} s over {args.repeats} runs (min {min(times):.2f})")


if __name__ == "__main__":
    main()

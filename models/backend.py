"""The interface every image model implements, and the helpers they share.

Conventions, fixed here once:
- a call is described by one ``BackendRequest``; images in and out are RGB ``PIL.Image`` objects of the
  requested square ``size`` (the caller resizes uploads);
- a mask is a float32 array of shape (size, size) with 1 = repaint and 0 = keep. The API converts OpenAI's
  alpha convention at the edge; ``BackendRequest`` binarises whatever it is given at ``MASK_THRESHOLD``, so
  every backend sees exact 0s and 1s. Pixels where the mask is 0 come back unchanged (``keep_unmasked``);
- ``progress(step, total)`` is called after every sampling step of every stage; raising from it (e.g.
  ``JobCancelled``) stops the sampling loop, which is how a job is cancelled;
- ``seed`` fixes all randomness of a call, so a rerun of a job reproduces the same images;
- ``run_batch(operation, requests)`` runs several requests of one operation (same size, steps and guidance) and
  returns, per request, its images or the ``JobCancelled`` its progress raised. Each request gets exactly the
  images it would get alone. ``batch_operations`` names the operations a backend runs as one model call; the
  worker groups jobs only for those (a sequential "batch" gains nothing and holds back the first job's images).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, Union, runtime_checkable

import numpy as np
from PIL import Image

ProgressCallback = Callable[[int, int], None]

# A mask value at or above this means "repaint". The one threshold every backend and the worker use.
MASK_THRESHOLD = 0.5


def binarize_mask(mask: np.ndarray) -> np.ndarray:
    return (np.asarray(mask, dtype=np.float32) >= MASK_THRESHOLD).astype(np.float32)


@dataclass(frozen=True)
class BackendRequest:
    """One call of a backend: generate uses `prompt`; edit uses `image`, `mask` and `prompt`; vary uses `image`."""

    prompt: str = ""
    image: Image.Image | None = None
    mask: np.ndarray | None = None
    n: int = 1
    size: int = 256
    seed: int = 0
    steps: int | None = None
    guidance_scale: float | None = None
    progress: ProgressCallback | None = None

    def __post_init__(self) -> None:
        if self.mask is not None:
            mask = binarize_mask(self.mask)
            if mask.shape != (self.size, self.size):
                raise ValueError(f"mask must have shape {(self.size, self.size)}, got {mask.shape}")
            object.__setattr__(self, "mask", mask)


class JobCancelled(Exception):
    """Raised from a progress callback to stop a sampling loop (at `step` of `total`, where the raiser says)."""

    def __init__(self, job_id: str = "", step: int | None = None, total: int | None = None):
        super().__init__(job_id)
        self.step, self.total = step, total


# Per request of a batch: its images, or how it was stopped.
BatchResult = Union[list[Image.Image], JobCancelled]
OPERATIONS = ("generate", "edit", "vary")


@runtime_checkable
class Backend(Protocol):
    name: str
    batch_operations: frozenset[str]

    def generate(self, request: BackendRequest) -> list[Image.Image]: ...

    def edit(self, request: BackendRequest) -> list[Image.Image]: ...

    def vary(self, request: BackendRequest) -> list[Image.Image]: ...

    def run_batch(self, operation: str, requests: list[BackendRequest]) -> list[BatchResult]: ...


def run_sequentially(backend: Backend, operation: str, requests: list[BackendRequest]) -> list[BatchResult]:
    """The fallback batch: one call per request; a cancelled request does not stop the others."""
    if operation not in OPERATIONS:
        raise ValueError(f"unknown operation {operation!r}")
    results: list = []
    for request in requests:
        try:
            results.append(getattr(backend, operation)(request))
        except JobCancelled as stopped:
            results.append(stopped)
    return results


def run_batch(backend: Backend, operation: str, requests: list[BackendRequest]) -> list[BatchResult]:
    """backend.run_batch, or one call per request for a backend that has none."""
    batched = getattr(backend, "run_batch", None)
    return batched(operation, requests) if batched is not None else run_sequentially(backend, operation, requests)


class BatchProgress:
    """The progress callback of one model call that serves several requests: each step goes to every request's
    own callback. A request whose callback raises JobCancelled is dropped (never called again, its result is
    that exception) and the call goes on for the others; it stops only once every request is dropped."""

    def __init__(self, requests: list[BackendRequest]):
        self.callbacks = [r.progress for r in requests]
        self.cancelled: dict[int, JobCancelled] = {}

    @property
    def all_cancelled(self) -> bool:
        return len(self.cancelled) == len(self.callbacks)

    def __call__(self, step: int, total: int) -> None:
        for index, callback in enumerate(self.callbacks):
            if callback is None or index in self.cancelled:
                continue
            try:
                callback(step, total)
            except JobCancelled as stopped:
                self.cancelled[index] = stopped
        if self.all_cancelled:
            raise next(iter(self.cancelled.values()))


def batched_call(
    requests: list[BackendRequest], call: Callable[[ProgressCallback], list[list[Image.Image]]]
) -> list[BatchResult]:
    """Run `call(progress)`, one model call returning each request's images, with per-request progress and
    cancel (BatchProgress); cancelled requests get their JobCancelled instead of images."""
    progress = BatchProgress(requests)
    try:
        outputs = call(progress)
    except JobCancelled:
        if not progress.all_cancelled:
            raise
        return [progress.cancelled[i] for i in range(len(requests))]
    return [progress.cancelled.get(i, images) for i, images in enumerate(outputs)]


def keep_unmasked(original: Image.Image, results: list[Image.Image], mask: np.ndarray) -> list[Image.Image]:
    """Copy the original's pixels back wherever mask == 0, so an edit never touches what it was told to keep."""
    keep = (mask <= 0)[..., None]
    src = np.asarray(original.convert("RGB"))
    out = []
    for result in results:
        arr = np.asarray(result.convert("RGB").resize(original.size, Image.BICUBIC)).copy()
        arr = np.where(keep, src, arr)
        out.append(Image.fromarray(arr.astype(np.uint8), "RGB"))
    return out


def report(progress: ProgressCallback | None, step: int, total: int) -> None:
    if progress is not None:
        progress(step, total)

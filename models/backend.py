"""The interface every image model implements, and the helpers they share.

Conventions, fixed here once:
- a call is described by one ``BackendRequest``; images in and out are RGB ``PIL.Image`` objects of the
  requested square ``size`` (the caller resizes uploads);
- a mask is a float32 array of shape (size, size) with 1 = repaint and 0 = keep. The API converts OpenAI's
  alpha convention at the edge; ``BackendRequest`` binarises whatever it is given at ``MASK_THRESHOLD``, so
  every backend sees exact 0s and 1s. Pixels where the mask is 0 come back unchanged (``keep_unmasked``);
- ``progress(step, total)`` is called after every sampling step of every stage; raising from it (e.g.
  ``JobCancelled``) stops the sampling loop, which is how a job is cancelled;
- ``seed`` fixes all randomness of a call, so a rerun of a job reproduces the same images.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, runtime_checkable

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


@runtime_checkable
class Backend(Protocol):
    name: str

    def generate(self, request: BackendRequest) -> list[Image.Image]: ...

    def edit(self, request: BackendRequest) -> list[Image.Image]: ...

    def vary(self, request: BackendRequest) -> list[Image.Image]: ...


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

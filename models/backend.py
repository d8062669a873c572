"""The interface every image model implements, and the helpers they share.

Conventions, fixed here once:
- images in and out are RGB ``PIL.Image`` objects of the requested square ``size``; the caller resizes uploads;
- a mask is a float32 array of shape (size, size) with 1 = repaint and 0 = keep (the API converts OpenAI's
  alpha convention at the edge); pixels where the mask is 0 come back unchanged;
- ``progress(step, total)`` is called after every sampling step of every stage; raising from it (e.g.
  ``JobCancelled``) stops the sampling loop, which is how a job is cancelled;
- ``seed`` fixes all randomness of a call, so a rerun of a job reproduces the same images.
"""

from __future__ import annotations

from typing import Callable, Protocol, runtime_checkable

import numpy as np
from PIL import Image

ProgressCallback = Callable[[int, int], None]


class JobCancelled(Exception):
    """Raised from a progress callback to stop a sampling loop (at `step` of `total`, where the raiser says)."""

    def __init__(self, job_id: str = "", step: int | None = None, total: int | None = None):
        super().__init__(job_id)
        self.step, self.total = step, total


@runtime_checkable
class Backend(Protocol):
    name: str

    def generate(
        self,
        prompt: str,
        *,
        n: int,
        size: int,
        seed: int,
        steps: int | None = None,
        guidance_scale: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> list[Image.Image]: ...

    def edit(
        self,
        image: Image.Image,
        mask: np.ndarray,
        prompt: str,
        *,
        n: int,
        size: int,
        seed: int,
        steps: int | None = None,
        guidance_scale: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> list[Image.Image]: ...

    def vary(
        self,
        image: Image.Image,
        *,
        n: int,
        size: int,
        seed: int,
        steps: int | None = None,
        guidance_scale: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> list[Image.Image]: ...


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

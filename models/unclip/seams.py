"""Edits that continue their surroundings: the seam measure and the colour matching that removes seams.

The decoder knows the 11 colours of its training palette. Asked to continue a background it never saw (a dark
olive, a beige, a navy: the colours of real pictures) it paints the nearest colour it knows, and the mask's
outline shows as a box. ``match_background`` corrects that after sampling, inside the mask only: it compares the
median colour just inside the mask edge (what was repainted) with the median just outside it (what was kept),
and moves every repainted pixel that looks like the repainted background by that difference, fully when it has
the repainted background's colour and less the further it is from it, so that a shape drawn into the mask keeps
its own colour. Pixels outside the mask are never touched (the caller copies them back exactly anyway).

``seam_levels`` is issue 22's measure: the mean absolute difference, per channel, between the median kept and
the median repainted colour within ``ring`` pixels of the mask edge.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

_SQUARE = np.ones((3, 3), bool)


def edge_rings(mask: np.ndarray, ring: int) -> tuple[np.ndarray, np.ndarray]:
    """(repainted pixels within `ring` px of a kept one, kept pixels within `ring` px of a repainted one)."""
    repaint = mask > 0
    keep = ~repaint
    if not repaint.any() or not keep.any():
        empty = np.zeros_like(repaint)
        return empty, empty
    inside = repaint & ndimage.binary_dilation(keep, _SQUARE, iterations=ring)
    outside = keep & ndimage.binary_dilation(repaint, _SQUARE, iterations=ring)
    return inside, outside


def seam_levels(result: np.ndarray, original: np.ndarray, mask: np.ndarray, ring: int = 4) -> float | None:
    """Mean over channels of |median kept - median repainted| within `ring` px of the mask edge (0-255 levels);
    None when the mask is empty or covers everything (no edge)."""
    inside, outside = edge_rings(mask, ring)
    if not inside.any() or not outside.any():
        return None
    kept = np.median(np.asarray(original, np.float32)[outside], axis=0)
    repainted = np.median(np.asarray(result, np.float32)[inside], axis=0)
    return float(np.abs(kept - repainted).mean())


def match_background(result: np.ndarray, original: np.ndarray, mask: np.ndarray, ring: int = 4,
                     tol: float = 64.0, passes: int = 4) -> np.ndarray:
    """`result` (H, W, 3, 0-255 floats or uint8) with its repainted background moved onto the kept one's colour.

    Only pixels where mask > 0 change. A repainted pixel moves by (kept median - repainted median) times a
    weight that is 1 at the repainted background's colour and falls to 0 at `tol` levels (largest channel
    difference) from it, so shapes of other colours are left as drawn. A textured repainting (pixels spread
    wider than `tol` about its median) widens the tolerance to that spread, and the move is repeated (`passes`)
    until the medians agree, since a partial weight moves the median only part of the way. Returns float32.
    """
    out = np.asarray(result, np.float32).copy()
    inside, outside = edge_rings(mask, ring)
    if not inside.any() or not outside.any():
        return out
    kept = np.median(np.asarray(original, np.float32)[outside], axis=0)
    repaint = mask > 0
    for _ in range(passes):
        repainted = np.median(out[inside], axis=0)
        if np.abs(kept - repainted).mean() <= 0.5:
            break
        spread = np.percentile(np.abs(out[inside] - repainted).max(-1), 75)
        width = max(tol, 2.0 * float(spread))
        pixels = out[repaint]
        weight = np.clip(1.0 - np.abs(pixels - repainted).max(-1) / width, 0.0, 1.0)[:, None]
        out[repaint] = pixels + weight * (kept - repainted)
    return out


def kept_background(known: np.ndarray, mask: np.ndarray, ring: int = 1, tol: float = 64.0,
                    share: float = 0.6) -> np.ndarray | None:
    """The median colour just outside the mask when it is a background (at least `share` of those pixels within
    `tol` levels of it), else None (a busy picture: nothing to match)."""
    _, outside = edge_rings(mask, ring)
    if not outside.any():
        return None
    ring_pixels = np.asarray(known, np.float32)[outside]
    kept = np.median(ring_pixels, axis=0)
    return kept if (np.abs(ring_pixels - kept).max(-1) <= tol).mean() >= share else None


def background_onto_palette(known: np.ndarray, mask: np.ndarray, palette: np.ndarray, ring: int = 1,
                            tol: float = 64.0) -> tuple[np.ndarray, int | None]:
    """The kept image (H, W, 3, 0-255) with its background, as seen just outside the mask, moved onto the
    nearest colour of `palette` (K, 3): the decoder then continues a background it knows, cleanly, instead of
    making up texture for one it never saw; `match_background` moves the repainted background back afterwards.
    Pixels are weighted as in `match_background`, so shapes in the kept image keep their colours.
    Returns (the shifted image, the palette index used), or (the image, None) when there is no flat background."""
    out = np.asarray(known, np.float32).copy()
    kept = kept_background(out, mask, ring, tol)
    if kept is None:
        return out, None
    index = int(np.abs(palette - kept).sum(-1).argmin())
    weight = np.clip(1.0 - np.abs(out - kept).max(-1) / tol, 0.0, 1.0)[..., None]
    return out + weight * (palette[index].astype(np.float32) - kept), index

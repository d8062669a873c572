"""The procedural scenes domain: vocabulary, renderer, captions, and the deterministic detector.

One module so that the data builder and the evaluator share exactly the same definitions (palette, sizes,
positions, held-out combinations).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

# Colours are far apart in RGB so that the detector can snap any pixel to its nearest name.
PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 30),
    "orange": (255, 140, 0),
    "yellow": (250, 225, 30),
    "green": (30, 165, 60),
    "blue": (35, 75, 225),
    "purple": (135, 45, 180),
    "pink": (255, 130, 200),
    "brown": (125, 75, 30),
    "black": (15, 15, 15),
    "white": (245, 245, 245),
    "gray": (128, 128, 128),
}
COLORS = list(PALETTE)
SHAPES = ["circle", "square", "triangle", "star", "heart"]
SIZES = {"small": 0.30, "large": 0.50}  # shape box width as a fraction of the image
POSITIONS = ["center", "left", "right", "top", "bottom", "top left", "top right", "bottom left", "bottom right"]
# Never drawn in any training image: the model has to compose them.
HELD_OUT = {("green", "triangle"), ("purple", "star"), ("orange", "heart"), ("pink", "square"), ("yellow", "circle")}
RELATIONS = ["to the left of", "to the right of", "above", "below"]

POSITION_PHRASES = {
    "center": ["in the center", "in the middle"],
    "left": ["on the left", "at the left"],
    "right": ["on the right", "at the right"],
    "top": ["at the top", "at the top edge"],
    "bottom": ["at the bottom", "at the bottom edge"],
    "top left": ["in the top left corner", "at the top left"],
    "top right": ["in the top right corner", "at the top right"],
    "bottom left": ["in the bottom left corner", "at the bottom left"],
    "bottom right": ["in the bottom right corner", "at the bottom right"],
}


def position_center(position: str, size: str) -> tuple[float, float]:
    """Centre of a shape (fractions of the image) for a named position; larger shapes sit nearer the middle."""
    off = 0.30 if size == "small" else 0.22
    cx = 0.5 - off if "left" in position else 0.5 + off if "right" in position else 0.5
    cy = 0.5 - off if "top" in position else 0.5 + off if "bottom" in position else 0.5
    return cx, cy


def shape_polygon(shape: str, cx: float, cy: float, w: float) -> list[tuple[float, float]] | None:
    """Polygon of a shape in pixel units (None for the circle, drawn as an ellipse)."""
    r = w / 2
    if shape == "square":
        s = r * 0.9
        return [(cx - s, cy - s), (cx + s, cy - s), (cx + s, cy + s), (cx - s, cy + s)]
    if shape == "triangle":
        return [(cx, cy - r), (cx + r, cy + r * 0.8), (cx - r, cy + r * 0.8)]
    if shape == "star":
        pts = []
        for k in range(10):
            rr = r if k % 2 == 0 else r * 0.42
            a = -math.pi / 2 + k * math.pi / 5
            pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a) + r * 0.08))
        return pts
    if shape == "heart":
        pts = []
        for k in range(64):
            t = 2 * math.pi * k / 64
            x = 16 * math.sin(t) ** 3
            y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
            pts.append((cx + x / 17 * r, cy - (y + 2.5) / 17 * r))
        return pts
    return None


def draw_shape(draw: ImageDraw.ImageDraw, shape: str, color: str, cx: float, cy: float, w: float) -> None:
    fill = PALETTE[color]
    poly = shape_polygon(shape, cx, cy, w)
    if poly is None:
        r = w / 2 * 0.95
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    else:
        draw.polygon(poly, fill=fill)


@dataclass
class Item:
    shape: str
    color: str
    cx: float  # fractions of the image
    cy: float
    width: float


def render(items: list[Item], background: str, size: int = 256, supersample: int = 2) -> Image.Image:
    big = size * supersample
    img = Image.new("RGB", (big, big), PALETTE[background])
    draw = ImageDraw.Draw(img)
    for it in items:
        draw_shape(draw, it.shape, it.color, it.cx * big, it.cy * big, it.width * big)
    return img.resize((size, size), Image.LANCZOS) if supersample > 1 else img


# ----------------------------------------------------------------------------------------------- captions
# The TRAINING phrasings. Evaluation has its own, disjoint ones in paraphrase.py (never imported here), so that
# its paraphrase rows measure wordings the model never saw. Version 2 of the data added imperative and terse
# sentences, background-first orders, "backdrop"/"against", "big"/"little", "upper"/"lower", the relation's
# converse and "with ... to its left" forms, and captions with no background at all (drawn on no_background_for's colour).
SIZE_WORDS = {"small": ["small", "small", "little"], "large": ["large", "large", "big"]}
POSITION_PHRASES_EXTRA = {
    "center": ["at the centre"],
    "left": ["on the left side"],
    "right": ["on the right side"],
    "top": ["at the top of the picture"],
    "bottom": ["at the bottom of the picture"],
    "top left": ["in the upper left"],
    "top right": ["in the upper right"],
    "bottom left": ["in the lower left"],
    "bottom right": ["in the lower right"],
}
RELATION_WORDS = {
    "to the left of": ["to the left of", "left of"],
    "to the right of": ["to the right of", "right of"],
    "above": ["above", "over"],
    "below": ["below", "under"],
}
CONVERSE = {"to the left of": "to the right of", "to the right of": "to the left of", "above": "below", "below": "above"}
RELATION_ITS = {"to the left of": "to its left", "to the right of": "to its right", "above": "above it", "below": "below it"}


def no_background_for(colors: list[str]) -> str:
    """The background drawn when a caption names none: white, unless a shape is white (then black, then gray)."""
    return next(c for c in ("white", "black", "gray") if c not in colors)


def _color_word(color: str, rng: random.Random) -> str:
    return "grey" if color == "gray" and rng.random() < 0.3 else color


def single_caption(color: str, shape: str, size: str, position: str, background: str | None,
                   rng: random.Random) -> str:
    """A training caption; background None = a caption that names no background."""
    pos = rng.choice(POSITION_PHRASES[position] + POSITION_PHRASES_EXTRA[position])
    size_w = rng.choice(SIZE_WORDS[size])
    color = _color_word(color, rng)
    if background is None:
        return rng.choice([
            f"a {size_w} {color} {shape} {pos}",
            f"a {color} {shape} {pos}",
            f"draw a {size_w} {color} {shape} {pos}",
            f"{color} {shape}, {pos.split(' ', 1)[1]}",
        ])
    bg = _color_word(background, rng)
    templates = [
        f"a {size_w} {color} {shape} {pos} on a {bg} background",
        f"{size_w} {color} {shape} {pos}, {bg} background",
        f"a {bg} background with a {size_w} {color} {shape} {pos}",
        f"a {color} {shape} {pos} on {bg}",
        f"a picture of a {size_w} {color} {shape} {pos}, the background is {bg}",
        f"draw a {color} {shape} {pos} on a {bg} background",
        f"paint a {size_w} {color} {shape} {pos} against a {bg} background",
        f"{color} {shape} {pos.split(' ', 1)[1]}, {bg} backdrop",
        f"on a {bg} backdrop, a {size_w} {color} {shape} {pos}",
        f"{pos}: a {color} {shape}; background {bg}",
        f"show a {color} {shape} {pos} with a {bg} background",
        f"{bg} background, {color} {shape} {pos}",
    ]
    return rng.choice(templates)


def relation_caption(a: tuple[str, str], relation: str, b: tuple[str, str], background: str | None,
                     rng: random.Random) -> str:
    """A training caption for `a relation b`; background None = no background named."""
    rel = rng.choice(RELATION_WORDS[relation])
    conv = rng.choice(RELATION_WORDS[CONVERSE[relation]])
    ac, bc = f"{_color_word(a[0], rng)} {a[1]}", f"{_color_word(b[0], rng)} {b[1]}"
    if background is None:
        return rng.choice([
            f"a {ac} {rel} a {bc}",
            f"a {bc} {conv} a {ac}",
            f"draw a {ac} {rel} a {bc}",
            f"a {bc} with a {ac} {RELATION_ITS[relation]}",
        ])
    bg = _color_word(background, rng)
    templates = [
        f"a {ac} {rel} a {bc} on a {bg} background",
        f"{ac} {rel} {bc}, {bg} background",
        f"a {bg} background with a {ac} {rel} a {bc}",
        f"a {bc} {conv} a {ac} on a {bg} background",
        f"draw a {ac} {rel} a {bc} against a {bg} background",
        f"on a {bg} backdrop, a {bc} with a {ac} {RELATION_ITS[relation]}",
        f"{bg} background, {ac} {rel} {bc}",
    ]
    return rng.choice(templates)


def casual_single_caption(color: str, shape: str, size: str, position: str, background: str | None,
                          rng: random.Random) -> str:
    """Data version 4: how people type requests to an image generator ("make ...", "generate an image of
    ...", the shape before its colour, "bg", no position at all). A share of the scenes get one of these in
    place of single_caption's, whose sentences the evaluation's template rows keep using."""
    pos = rng.choice(POSITION_PHRASES[position] + POSITION_PHRASES_EXTRA[position])
    size_w, color = rng.choice(SIZE_WORDS[size]), _color_word(color, rng)
    if background is None:
        return rng.choice([
            f"make a {color} {shape} {pos}",
            f"generate a {size_w} {color} {shape} {pos}",
            f"a {shape} in {color} {pos}",
            f"{color} {shape}",
            f"a simple drawing of a {color} {shape}",
        ])
    bg = _color_word(background, rng)
    return rng.choice([
        f"make a {size_w} {color} {shape} {pos} on {bg}",
        f"generate an image of a {color} {shape} {pos}, {bg} background",
        f"create a picture with a {color} {shape} {pos} and a plain {bg} background",
        f"a {shape} in {color}, {pos}, on a solid {bg} background",
        f"a {shape} coloured {color} {pos} on {bg}",
        f"{bg} bg, {size_w} {color} {shape} {pos}",
        f"a simple illustration: {color} {shape} {pos}, {bg} colour background",
        f"a {color} {shape} sitting {pos} on a {bg} background",
        f"{shape}, {color}, {pos}, {bg} background",
        f"i want a {color} {shape} {pos} on a {bg} background",
        f"a flat {bg} image with a {size_w} {color} {shape} {pos}",
        f"a {color} {shape} on {bg}",
    ])


def casual_relation_caption(a: tuple[str, str], relation: str, b: tuple[str, str], background: str | None,
                            rng: random.Random) -> str:
    """casual_single_caption's counterpart for two shapes: colours after their shapes, "the red one"."""
    rel = rng.choice(RELATION_WORDS[relation])
    ac, bc = f"{_color_word(a[0], rng)} {a[1]}", f"{_color_word(b[0], rng)} {b[1]}"
    in_colour = f"a {a[1]} in {a[0]} {rel} a {b[1]} in {b[0]}"
    ones = f"a {ac} and a {bc}, the {a[0]} one {rel} the {b[0]} one"
    if background is None:
        return rng.choice([f"make a {ac} {rel} a {bc}", in_colour, ones, f"generate a {ac} {rel} a {bc}"])
    bg = _color_word(background, rng)
    return rng.choice([
        f"make a {ac} {rel} a {bc} on {bg}",
        f"generate an image of a {ac} {rel} a {bc}, {bg} background",
        f"{in_colour}, {bg} background",
        f"{ones}, on a plain {bg} background",
        f"{bg} bg: {ac} {rel} {bc}",
        f"a {ac} positioned {rel} a {bc} on a solid {bg} background",
    ])


def relation_items(a: tuple[str, str], relation: str, b: tuple[str, str], rng: random.Random) -> list[Item]:
    """Two small shapes placed so that `a relation b` holds; the free coordinate is random."""
    w = SIZES["small"]
    near, far, free = 0.22, 0.78, rng.choice([0.25, 0.5, 0.75])
    if relation == "to the left of":
        pa, pb = (near, free), (far, free)
    elif relation == "to the right of":
        pa, pb = (far, free), (near, free)
    elif relation == "above":
        pa, pb = (free, near), (free, far)
    else:
        pa, pb = (free, far), (free, near)
    return [Item(a[1], a[0], *pa, w), Item(b[1], b[0], *pb, w)]


# ----------------------------------------------------------------------------------------------- detector
@dataclass
class Detection:
    shape: str
    color: str
    cx: float  # centroid, fractions of the image
    cy: float
    area: float  # fraction of the image


def nearest_color(rgb: np.ndarray) -> np.ndarray:
    """Index into COLORS of the nearest palette colour for every pixel of an (..., 3) array."""
    pal = np.array([PALETTE[c] for c in COLORS], dtype=np.float32)
    d = ((rgb[..., None, :].astype(np.float32) - pal) ** 2).sum(-1)
    return d.argmin(-1)


def _template(shape: str, res: int = 48) -> np.ndarray:
    img = Image.new("RGB", (res * 2, res * 2), (0, 0, 0))
    draw_shape(ImageDraw.Draw(img), shape, "white", res, res, res * 2)
    arr = np.asarray(img)[..., 0] > 0
    ys, xs = np.nonzero(arr)
    return arr[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


_TEMPLATES: dict[str, np.ndarray] = {}


def classify_shape(component: np.ndarray) -> str:
    """Best IoU between the component (cropped to its box) and each shape template stretched to that box."""
    ys, xs = np.nonzero(component)
    crop = component[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    h, w = crop.shape
    best, best_iou = SHAPES[0], -1.0
    for shape in SHAPES:
        if shape not in _TEMPLATES:
            _TEMPLATES[shape] = _template(shape)
        t = np.asarray(Image.fromarray(_TEMPLATES[shape].astype(np.uint8) * 255).resize((w, h), Image.NEAREST)) > 0
        iou = (t & crop).sum() / max((t | crop).sum(), 1)
        if iou > best_iou:
            best, best_iou = shape, iou
    return best


def detect(image: Image.Image, min_area: float = 0.008, work_size: int = 128) -> tuple[str, list[Detection]]:
    """Background colour name and the shapes found (largest first).

    Deterministic: snap every pixel to the nearest palette colour, take the background as the most common
    colour on the border, then connected components of each non-background colour.
    """
    from scipy import ndimage

    arr = np.asarray(image.convert("RGB").resize((work_size, work_size), Image.BILINEAR))
    labels = nearest_color(arr)
    border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    bg = int(np.bincount(border, minlength=len(COLORS)).argmax())
    found: list[Detection] = []
    for ci in range(len(COLORS)):
        if ci == bg:
            continue
        mask = labels == ci
        if mask.sum() < min_area * work_size**2:
            continue
        mask = ndimage.binary_opening(mask, iterations=1)
        comp, count = ndimage.label(mask)
        for k in range(1, count + 1):
            part = comp == k
            area = part.sum() / work_size**2
            if area < min_area:
                continue
            part = ndimage.binary_fill_holes(part)
            ys, xs = np.nonzero(part)
            found.append(Detection(classify_shape(part), COLORS[ci], xs.mean() / work_size, ys.mean() / work_size, area))
    found.sort(key=lambda d: -d.area)
    return COLORS[bg], found


def position_of(cx: float, cy: float) -> str:
    col = "left" if cx < 0.4 else "right" if cx > 0.6 else ""
    row = "top" if cy < 0.4 else "bottom" if cy > 0.6 else ""
    return f"{row} {col}".strip() or "center"


def matches_single(image: Image.Image, color: str, shape: str, position: str, background: str) -> bool:
    """All four attributes right: the largest shape has the colour, shape and position, and the background."""
    bg, found = detect(image)
    if bg != background or not found:
        return False
    d = found[0]
    return d.color == color and d.shape == shape and position_of(d.cx, d.cy) == position


def matches_relation(image: Image.Image, a: tuple[str, str], relation: str, b: tuple[str, str], background: str) -> bool:
    bg, found = detect(image)
    if bg != background:
        return False
    da = [d for d in found if (d.color, d.shape) == a]
    db = [d for d in found if (d.color, d.shape) == b]
    if not da or not db:
        return False
    pa, pb = da[0], db[0]
    dx, dy = pb.cx - pa.cx, pb.cy - pa.cy
    return {
        "to the left of": dx > 0.15 and abs(dx) > abs(dy),
        "to the right of": dx < -0.15 and abs(dx) > abs(dy),
        "above": dy > 0.15 and abs(dy) > abs(dx),
        "below": dy < -0.15 and abs(dy) > abs(dx),
    }[relation]

"""Paraphrase prompts for EVALUATION ONLY: phrasings the model never saw in training.

Training captions come from scenes.py (``single_caption`` / ``relation_caption``). This module is written
separately from them and must never be imported by data.py or train.py (tests/models/test_unclip.py checks that
no training caption can come out of here): its rows in evaluate.py mean "wordings the model never saw".

What differs from the training templates:
- sentence shapes: requests ("I'd like ...", "could you make ...", "please render ..."), existential ("there is
  ..."), colon and dash forms ("scene - ..."), position or background first, "with X behind it";
- background words: "canvas", "surrounded by", "set on", "with X behind it", "filled with X" (training says
  background, backdrop, against, on X);
- size words: "tiny", "huge", "medium-small", "giant" (training: small, little, large, big);
- position words: "top-left", "upper-left area", "lower-right part", "dead centre", "left-hand side", "near the
  top", "low down" (training: "in the top left corner", "upper left", "on the left", ...);
- relation words: "further left than", "on the left-hand side of", "higher than", "beneath", "lower than"
  (training: to the left of, left of, above, over, below, under, its converse and "with ... to its left").
Colour and shape names stay the palette's (they are what is asked for, not how).
"""

from __future__ import annotations

import random

SIZE = {"small": ["tiny", "medium-small", "smallish"], "large": ["huge", "giant", "fairly big"]}
POSITION = {
    "center": ["dead centre", "right in the middle of the frame", "centred"],
    "left": ["over on the left-hand side", "near the left edge", "at the far left"],
    "right": ["over on the right-hand side", "near the right edge", "at the far right"],
    "top": ["near the top", "up high", "along the top edge"],
    "bottom": ["low down", "near the bottom", "along the bottom edge"],
    "top left": ["top-left", "in the upper-left area", "up in the top-left"],
    "top right": ["top-right", "in the upper-right area", "up in the top-right"],
    "bottom left": ["bottom-left", "in the lower-left part", "down in the bottom-left"],
    "bottom right": ["bottom-right", "in the lower-right part", "down in the bottom-right"],
}
RELATION = {
    "to the left of": ["further left than", "on the left-hand side of"],
    "to the right of": ["further right than", "on the right-hand side of"],
    "above": ["higher than", "up above"],
    "below": ["beneath", "lower than"],
}


def single_paraphrase(color: str, shape: str, size: str, position: str, background: str | None,
                      rng: random.Random) -> str:
    """A prompt for one shape in the evaluation's own wording; background None = none named."""
    sz, pos = rng.choice(SIZE[size]), rng.choice(POSITION[position])
    if background is None:
        return rng.choice([
            f"I'd like a {sz} {color} {shape}, {pos}",
            f"there is a {color} {shape} {pos}",
            f"could you make one {color} {shape} {pos}?",
            f"{pos}, one {sz} {color} {shape}",
        ])
    bg = background
    return rng.choice([
        f"I'd like a {sz} {color} {shape} {pos}, with {bg} behind it",
        f"please render a {color} {shape} {pos} set on {bg}",
        f"{bg} canvas; {sz} {color} {shape} {pos}",
        f"there is a {color} {shape} {pos}, surrounded by {bg}",
        f"scene - {pos}: one {color} {shape}, everything else {bg}",
        f"could you make a {sz} {color} {shape} {pos} on a {bg} canvas?",
        f"a canvas filled with {bg} and a {sz} {color} {shape} {pos}",
    ])


def relation_paraphrase(a: tuple[str, str], relation: str, b: tuple[str, str], background: str | None,
                        rng: random.Random) -> str:
    """A prompt for `a relation b` in the evaluation's own wording; background None = none named."""
    rel = rng.choice(RELATION[relation])
    ac, bc = f"{a[0]} {a[1]}", f"{b[0]} {b[1]}"
    if background is None:
        return rng.choice([
            f"I'd like a {ac} placed {rel} a {bc}",
            f"there is a {ac} {rel} a {bc}",
            f"could you make two shapes: a {ac} {rel} a {bc}?",
        ])
    bg = background
    return rng.choice([
        f"I'd like a {ac} {rel} a {bc}, with {bg} behind them",
        f"please render a {ac} {rel} a {bc}, set on {bg}",
        f"{bg} canvas; a {ac} sits {rel} a {bc}",
        f"two shapes surrounded by {bg}: a {ac} {rel} a {bc}",
    ])

"""How an edit's prompt is read, given its mask and kept picture (the pipeline applies both per image row).

- A prompt that names no background is told the kept one's colour (``naming_background``): asked for "a red
  star" on navy, the decoder otherwise fights the known pixels (captions without a background were drawn on
  white in training) and paints texture.
- An outpainting, a mask that frames the kept picture on all four sides, drops the prompt's absolute position
  words (``outpainting_prompt``): they describe where things are in the kept picture, and on the larger canvas
  "at the bottom" points into the new border, where the decoder then drew the subject a second time. The text
  still says what the picture shows; the known pixels say where. Relations ("to the left of a square") stay.
"""

from __future__ import annotations

import re

import numpy as np

BACKGROUND_WORDS = {"background", "backdrop", "background.", "backdrop."}

_WHERE = r"(?:top|bottom|left|right|upper|lower|centre|center|middle)"
_POSITION = re.compile(
    r"\b(?:(?:(?:over\s+)?(?:at|in|on|to|towards?|near)\s+)?the\s+" + _WHERE + r"(?:[\s-]+" + _WHERE + r")*"
    + r"|dead\s+cent(?:re|er))"
    + r"(?:[\s-]+(?:hand[\s-]+)?(?:side|corner|edge|part|half|area|region))?"
    + r"(?:\s+of\s+the\s+(?:picture|image|frame|canvas|scene))?"
    + r"\b(?!\s+of\b)",  # "to the left of a blue square" is a relation, kept
    re.IGNORECASE,
)


def naming_background(prompt: str, background: str | None) -> str:
    if background is None or BACKGROUND_WORDS & set(prompt.lower().split()):
        return prompt
    return f"{prompt.rstrip(' .')} on a {background} background"


def frames_the_picture(mask: np.ndarray) -> bool:
    """mask (H, W; 1 = repaint) covers every edge of the canvas and keeps something inside: an outpainting."""
    edges = np.concatenate([mask[0], mask[-1], mask[:, 0], mask[:, -1]])
    return bool((edges > 0).all() and (mask == 0).any())


def outpainting_prompt(prompt: str) -> str:
    stripped = _POSITION.sub(" ", prompt)
    stripped = re.sub(r"\s+([,.;:])", r"\1", re.sub(r"\s+", " ", stripped)).strip(" ,;:-")
    stripped = re.sub(r"([,;:])\s*[,;:]", r"\1", stripped)
    return stripped if re.search(r"\w", stripped) else prompt

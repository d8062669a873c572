"""Easel's own small unCLIP model (text encoder -> prior -> decoder -> upsampler), trained here on CPU.

``UnclipBackend.from_pretrained("models/unclip/weights")`` is what ``easel serve`` loads by default.
"""

from models.unclip.backend import UnclipBackend
from models.unclip.pipeline import UnclipPipeline

__all__ = ["UnclipBackend", "UnclipPipeline"]

"""Checking uploaded images the way the DALL·E 2 API did, and turning OpenAI's alpha mask into ours.

OpenAI's convention: pixels with alpha = 0 (in the mask, or in the image when no mask is sent) are repainted.
Ours (models/backend.py): a single-channel mask with 1 = repaint. The conversion happens here, once.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image

from core.errors import invalid

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Pixel count above which an upload is refused before decoding (a small file can inflate to gigabytes).
MAX_PIXELS = 4096 * 4096


@dataclass
class Upload:
    filename: str
    data: bytes


def _decode_png(upload: Upload, param: str, max_bytes: int) -> Image.Image:
    if len(upload.data) >= max_bytes:
        raise invalid(f"Uploaded image must be a PNG and less than {max_bytes // (1024 * 1024)} MB.", param)
    if not upload.data.startswith(PNG_SIGNATURE):
        raise invalid(f"Invalid file '{param}': uploaded image must be a PNG and less than 4 MB.", param, "invalid_image_format")
    try:
        image = Image.open(io.BytesIO(upload.data), formats=["PNG"])
        width, height = image.size
        if width * height > MAX_PIXELS or width <= 0 or height <= 0:
            raise invalid(
                f"Invalid file '{param}': image dimensions {width}x{height} are too large.", param, "image_too_large"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError, EOFError):
        raise invalid(f"Invalid file '{param}': the PNG could not be decoded (corrupt or truncated).", param, "invalid_image")
    return image


def _has_alpha(image: Image.Image) -> bool:
    # An alpha channel, or a PNG tRNS chunk (a transparent colour or palette entry) in any mode.
    return image.has_transparency_data


def _alpha(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGBA"))[..., 3]


def read_square_png(upload: Upload, param: str, max_bytes: int) -> Image.Image:
    image = _decode_png(upload, param, max_bytes)
    if image.width != image.height:
        raise invalid(f"Invalid file '{param}': uploaded image must be square, got {image.width}x{image.height}.", param, "invalid_image_size")
    return image


def edit_inputs(
    image_upload: Upload, mask_upload: Upload | None, size: int, max_bytes: int
) -> tuple[Image.Image, Image.Image, list[Image.Image]]:
    """Returns (rgb image at `size`, mask at `size` as mode L with 255 = repaint, the uploads as RGB images for
    the content policy)."""
    image = read_square_png(image_upload, "image", max_bytes)
    uploaded = [image.convert("RGB")]
    if mask_upload is not None:
        mask_source = _decode_png(mask_upload, "mask", max_bytes)
        if mask_source.size != image.size:
            raise invalid(
                f"Invalid file 'mask': mask size {mask_source.width}x{mask_source.height} must match the image "
                f"size {image.width}x{image.height}.",
                "mask",
                "invalid_mask_size",
            )
        if not _has_alpha(mask_source):
            raise invalid("Invalid file 'mask': the mask must be a PNG with an alpha channel.", "mask", "invalid_mask")
        alpha = _alpha(mask_source)
        uploaded.append(mask_source.convert("RGB"))
    else:
        if not _has_alpha(image):
            raise invalid(
                "Invalid file 'image': an image without transparency needs a mask; send a 'mask', or make the area "
                "to edit transparent.",
                "image",
                "invalid_image",
            )
        alpha = _alpha(image)
    repaint = Image.fromarray(np.where(alpha == 0, 255, 0).astype(np.uint8), "L")
    rgb = image.convert("RGB")
    if rgb.size != (size, size):
        rgb = rgb.resize((size, size), Image.LANCZOS)
        repaint = repaint.resize((size, size), Image.NEAREST)
    return rgb, repaint, uploaded


def variation_input(image_upload: Upload, size: int, max_bytes: int) -> Image.Image:
    image = read_square_png(image_upload, "image", max_bytes).convert("RGB")
    if image.size != (size, size):
        image = image.resize((size, size), Image.LANCZOS)
    return image

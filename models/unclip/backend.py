"""``unclip`` as a Backend (models/backend.py): the pipeline's three uses, their batches, and the output sizes."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from models.backend import BackendRequest, BatchResult, ProgressCallback, batched_call, keep_unmasked, run_sequentially
from models.unclip.pipeline import (
    LOW_RES, UPSAMPLED, VARIATION_STRENGTH, UnclipPipeline, pil_to_tensor, tensor_to_pils,
)
from models.unclip.seams import match_background

# CPU kernels compute a row of a 2-D product differently depending on how many rows it has, below about 13 (with
# torch 2.13's MKL/oneDNN: rows 1-3 with 1-4 threads, and 5-7, 9-11 too with 2), and a convolution of one sample
# differently from the same sample among others for some shapes: the last bits change. With 16 rows or more, or
# 2 samples or more, a row's result does not depend on the others (measured with 1 to 4 threads). The embedding MLPs see
# 2 rows for a lone image (classifier-free guidance) and the upsampler 1 sample, more in a batch; over the steps
# that flips a few pixels by one level. Padding those inputs keeps every request's images exact whether it ran
# alone or in a batch (make_batch_invariant), for little: the MLP inputs are tiny, and only a lone image's
# upsampler pass (one of ~25 network calls) is doubled. The convolutions also round differently on a channels-last
# input than on a contiguous one, which a variation's images are alone; UnclipPipeline._upsample keeps each
# request's layout in a batch. With one thread, a 1x1 convolution rounds a sample the same among 2 to 15 samples
# and differently among 16 or more; reranked draws (candidates) make decoder batches of any size, so the decoder
# runs on chunks of at most DECODER_CHUNK samples (always 2 or more: classifier-free guidance doubles the rows).
MIN_GEMM_ROWS = 16
MIN_UPSAMPLER_SAMPLES = 2
DECODER_CHUNK = 8


def make_batch_invariant(pipeline: "UnclipPipeline") -> None:
    for part in (pipeline.image_encoder, pipeline.prior, pipeline.decoder, pipeline.upsampler):
        for layer in part.modules():
            if isinstance(layer, torch.nn.Linear):
                layer.forward = _padded_linear(layer)
    pipeline.upsampler.forward = _padded_upsampler(pipeline.upsampler.forward)
    pipeline.decoder.forward = _chunked_decoder(pipeline.decoder.forward)


def _padded_linear(layer: torch.nn.Linear):
    def forward(x: torch.Tensor) -> torch.Tensor:
        rows = x.shape[0]
        if x.dim() == 2 and rows < MIN_GEMM_ROWS:
            padded = torch.cat([x, x.new_zeros(MIN_GEMM_ROWS - rows, x.shape[1])])
            return F.linear(padded, layer.weight, layer.bias)[:rows]
        return F.linear(x, layer.weight, layer.bias)

    return forward


def _padded_upsampler(forward):
    from diffusers.models.unets.unet_2d import UNet2DOutput

    def padded(sample: torch.Tensor, timestep: torch.Tensor, *args, **kwargs):
        count = sample.shape[0]
        if count >= MIN_UPSAMPLER_SAMPLES:
            return forward(sample, timestep, *args, **kwargs)
        extra = MIN_UPSAMPLER_SAMPLES - count
        sample = torch.cat([sample, sample.new_zeros(extra, *sample.shape[1:])])
        timestep = torch.cat([timestep, timestep[:1].expand(extra)])
        return UNet2DOutput(sample=forward(sample, timestep, *args, **kwargs).sample[:count])

    return padded


def _chunked_decoder(forward):
    from diffusers.models.unets.unet_2d_condition import UNet2DConditionOutput

    def chunked(sample: torch.Tensor, timestep: torch.Tensor, *, added_cond_kwargs: dict, **kwargs):
        part = lambda t, i: t[i:i + DECODER_CHUNK]  # noqa: E731
        outputs = [
            forward(part(sample, i), part(timestep, i),
                    added_cond_kwargs={key: part(value, i) for key, value in added_cond_kwargs.items()},
                    **{key: part(value, i) for key, value in kwargs.items()}).sample
            for i in range(0, len(sample), DECODER_CHUNK)
        ]
        return UNet2DConditionOutput(sample=torch.cat(outputs))

    return chunked


def _resize_all(images: list[Image.Image], size: int) -> list[Image.Image]:
    # 512 and 1024: Lanczos enlargement of the learned 256x256 stage.
    return images if size == UPSAMPLED else [im.resize((size, size), Image.LANCZOS) for im in images]


def _edit_inputs(request: BackendRequest) -> tuple[torch.Tensor, torch.Tensor]:
    """The pipeline's (1, 3, 32, 32) known image and (1, 1, 32, 32) mask of an edit."""
    # A low-res cell is repainted if any pixel of it is to be repainted, so the masked area is fully covered.
    mask_low = F.adaptive_max_pool2d(torch.from_numpy(request.mask)[None, None], LOW_RES)
    return pil_to_tensor(request.image, LOW_RES), mask_low


def _finished_edit(request: BackendRequest, images: list[Image.Image]) -> list[Image.Image]:
    """An edit's sampled 256x256 images at its size, background matched and unmasked pixels kept (per request)."""
    r = request
    results = _resize_all(images, r.size)
    original = r.image.convert("RGB").resize((r.size, r.size))
    # The upsampler and the enlargement blur the background a little differently from the kept pixels:
    # match once more at the output size, inside the mask only (ring: 4 px at 256, as the seam is measured).
    known = np.asarray(original, np.float32)
    ring = max(4, r.size // 64)
    results = [Image.fromarray(np.clip(match_background(np.asarray(im), known, r.mask, ring=ring), 0, 255)
                               .round().astype(np.uint8), "RGB") for im in results]
    return keep_unmasked(original, results, r.mask)


class UnclipBackend:
    """The Backend (models/backend.py) served by default: our own small unCLIP model."""

    name = "unclip"

    def __init__(self, pipeline: UnclipPipeline):
        self.pipeline = pipeline
        make_batch_invariant(pipeline)  # a request's images must not depend on the batch it ran in

    @classmethod
    def from_pretrained(cls, path: str | Path, device: str = "cpu", threads: int | None = None) -> "UnclipBackend":
        if device == "cpu":
            # Small networks: more than a few threads only adds overhead; EASEL_TORCH_THREADS overrides.
            threads = threads or int(os.environ.get("EASEL_TORCH_THREADS", min(4, os.cpu_count() or 1)))
            torch.set_num_threads(threads)
        return cls(UnclipPipeline.from_pretrained(path, device=device))

    def generate(self, request: BackendRequest) -> list[Image.Image]:
        r = request
        images = self.pipeline(prompt=r.prompt, n=r.n, seed=r.seed, decoder_steps=r.steps,
                               guidance_scale=r.guidance_scale, progress=r.progress)
        return _resize_all(tensor_to_pils(images), r.size)

    def edit(self, request: BackendRequest) -> list[Image.Image]:
        r = request
        init, mask_low = _edit_inputs(r)
        images = self.pipeline(prompt=r.prompt, n=r.n, seed=r.seed, init_image=init, mask=mask_low,
                               decoder_steps=r.steps, guidance_scale=r.guidance_scale, progress=r.progress)
        return _finished_edit(r, tensor_to_pils(images))

    def vary(self, request: BackendRequest) -> list[Image.Image]:
        r = request
        embeds = self.pipeline.embed_images([r.image]).expand(r.n, -1)
        images = self.pipeline(prompt=None, n=r.n, seed=r.seed, image_embeds=embeds, decoder_steps=r.steps,
                               init_image=pil_to_tensor(r.image, LOW_RES), init_strength=VARIATION_STRENGTH,
                               guidance_scale=r.guidance_scale, progress=r.progress)
        return _resize_all(tensor_to_pils(images), r.size)

    # --- batching (worker/runner.py groups jobs): several requests, one sampling loop -----------------------------
    # Each request's rows get its own prompt (generations, edits), its own image embedding and start (variations)
    # or known image and mask (edits), and its own noise generator; what is done per image after sampling
    # (resizing, an edit's colour matching and kept pixels) is done per request. With make_batch_invariant, each
    # request gets exactly the images it would get alone.
    batch_operations = frozenset({"generate", "edit", "vary"})

    def run_batch(self, operation: str, requests: list[BackendRequest]) -> list[BatchResult]:
        if operation not in self.batch_operations or len(requests) == 1:
            return run_sequentially(self, operation, requests)
        first = requests[0]
        if any((r.steps, r.guidance_scale) != (first.steps, first.guidance_scale) for r in requests):
            raise ValueError("a batch shares its steps and guidance_scale")
        n = sum(r.n for r in requests)
        seeds = [(r.seed, r.n) for r in requests]

        def per_row(tensors: list[torch.Tensor]) -> torch.Tensor:  # one (1, ...) tensor per request -> n rows
            return torch.cat([t.expand(r.n, *t.shape[1:]) for r, t in zip(requests, tensors)])

        def call(progress: ProgressCallback) -> list[list[Image.Image]]:
            common = dict(n=n, seed=seeds, decoder_steps=first.steps, guidance_scale=first.guidance_scale,
                          progress=progress)
            prompts = [r.prompt for r in requests for _ in range(r.n)]
            if operation == "generate":
                images = self.pipeline(prompt=prompts, **common)
            elif operation == "edit":
                inits, masks = zip(*(_edit_inputs(r) for r in requests))
                images = self.pipeline(prompt=prompts, init_image=per_row(inits), mask=per_row(masks), **common)
            else:  # each image embedded on its own, as alone, and each row starts from its request's image
                embeds = per_row([self.pipeline.embed_images([r.image]) for r in requests])
                inits = per_row([pil_to_tensor(r.image, LOW_RES) for r in requests])
                images = self.pipeline(prompt=None, image_embeds=embeds, init_image=inits,
                                       init_strength=VARIATION_STRENGTH, **common)
            pils, outputs, start = tensor_to_pils(images), [], 0
            for r in requests:
                mine = pils[start:start + r.n]
                outputs.append(_finished_edit(r, mine) if operation == "edit" else _resize_all(mine, r.size))
                start += r.n
            return outputs

        return batched_call(requests, call)

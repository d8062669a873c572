"""``kandinsky-2.2``: Kandinsky 2.2 through diffusers' pipelines, loaded from a local folder only.

Folder layout (each subfolder is what the pipeline's ``save_pretrained`` writes)::

    <path>/prior/    KandinskyV22PriorPipeline       (kandinsky-community/kandinsky-2-2-prior)
    <path>/decoder/  KandinskyV22Pipeline            (kandinsky-community/kandinsky-2-2-decoder)
    <path>/inpaint/  KandinskyV22InpaintPipeline     (kandinsky-community/kandinsky-2-2-decoder-inpaint)

The inpaint pipeline reuses the decoder's MoVQ (same weights upstream), so ``inpaint/movq`` is never loaded and
may be left out.

- generate: prior (text -> CLIP image embedding) -> decoder; the n images are one batch.
- edit: prior -> inpaint decoder on the uploaded image; outpainting is the same call on a transparent-padded image.
- vary: the prior's CLIP image encoder embeds the uploaded image -> decoder, as DALL-E 2 variations do.

``steps`` overrides the step count of every stage (the prior takes at least 2), ``guidance_scale`` the classifier-free guidance of every stage.
``progress(step, total)`` counts steps across the stages of one call (prior then decoder).
"""

from __future__ import annotations

import threading
from pathlib import Path

from PIL import Image

from models.backend import BackendRequest, BatchResult, ProgressCallback, keep_unmasked, report, run_sequentially

SUBFOLDERS = ("prior", "decoder", "inpaint")

# Upstream recommendations: the prior is cheap and converges in ~25 steps; the decoder wants more.
DEFAULT_PRIOR_STEPS = 25
DEFAULT_DECODER_STEPS = 50
DEFAULT_GUIDANCE = 4.0


def check_layout(path: str | Path) -> Path:
    """Fail early, naming what is missing, instead of deep inside diffusers (or trying the hub)."""
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"Kandinsky 2.2 folder {str(root)!r} does not exist")
    missing = [name for name in SUBFOLDERS if not (root / name / "model_index.json").is_file()]
    if missing:
        raise FileNotFoundError(
            f"Kandinsky 2.2 folder {str(root)!r} lacks {', '.join(f'{m}/model_index.json' for m in missing)}; "
            "expected prior/, decoder/ and inpaint/ saved with the diffusers pipelines' save_pretrained "
            "(see docs/kandinsky.md)"
        )
    return root


class KandinskyBackend:
    name = "kandinsky-2.2"
    # No batched sampling yet: run_batch is one call per request, so the worker does not group its jobs.
    batch_operations: frozenset[str] = frozenset()

    def __init__(self, prior, decoder, inpaint, device: str):
        self.prior = prior
        self.decoder = decoder
        self.inpaint = inpaint
        self.device = device
        # Pipelines keep per-call state (scheduler timesteps, guidance scale): one call at a time.
        self._lock = threading.Lock()

    @classmethod
    def from_pretrained(cls, path: str | Path, *, device: str = "cpu", dtype=None) -> "KandinskyBackend":
        import torch
        from diffusers import KandinskyV22InpaintPipeline, KandinskyV22Pipeline, KandinskyV22PriorPipeline

        root = check_layout(path)
        if dtype is None:
            # Half precision is what Kandinsky is run in on GPUs; CPU kernels want float32.
            dtype = torch.float16 if str(device).startswith("cuda") else torch.float32
        common = {"local_files_only": True, "dtype": dtype}
        prior = KandinskyV22PriorPipeline.from_pretrained(root / "prior", **common)
        decoder = KandinskyV22Pipeline.from_pretrained(root / "decoder", **common)
        # Passing the decoder's movq means it is shared, not loaded a second time.
        inpaint = KandinskyV22InpaintPipeline.from_pretrained(root / "inpaint", movq=decoder.movq, **common)
        for pipe in (prior, decoder, inpaint):
            pipe.to(device)
            pipe.set_progress_bar_config(disable=True)
        return cls(prior, decoder, inpaint, device)

    # --- helpers -------------------------------------------------------------------------------------------------

    @staticmethod
    def _generator(seed: int):
        import torch

        # A CPU generator gives the same noise whatever the device, so a job reruns identically elsewhere.
        return torch.Generator(device="cpu").manual_seed(int(seed))

    @staticmethod
    def _counter(progress: ProgressCallback | None, start: int, total: int):
        """A diffusers ``callback_on_step_end`` that reports global progress; what it raises stops the loop."""

        def callback(pipe, i, t, callback_kwargs):
            report(progress, start + i + 1, total)
            return callback_kwargs

        return callback

    def _text_embeds(self, prompt, n, steps, guidance, generator, progress, total):
        out = self.prior(
            prompt,
            num_images_per_prompt=n,
            num_inference_steps=steps,
            guidance_scale=guidance,
            generator=generator,
            output_type="pt",
            callback_on_step_end=self._counter(progress, 0, total),
        )
        # negative_image_embeds is the embedding of an empty image: the unconditional side of the decoder's CFG.
        return out.image_embeds, out.negative_image_embeds

    def _decode(self, pipe, r: BackendRequest, embeds, negative, steps, guidance, generator, start, total, **inputs):
        """The decoder stage (plain or inpaint) from image embeddings, counting its steps after `start`."""
        images = pipe(
            image_embeds=embeds,
            negative_image_embeds=negative,
            height=r.size,
            width=r.size,
            num_inference_steps=steps,
            guidance_scale=guidance,
            generator=generator,
            output_type="pil",
            callback_on_step_end=self._counter(r.progress, start, total),
            **inputs,
        ).images
        return self._sized(images, r.size)

    @staticmethod
    def _sized(images: list[Image.Image], size: int) -> list[Image.Image]:
        # The decoder rounds sizes up to its latent grid; the API promises exactly size x size.
        return [
            (im if im.size == (size, size) else im.resize((size, size), Image.BICUBIC)).convert("RGB")
            for im in images
        ]

    @staticmethod
    def _steps(steps: int | None) -> tuple[int, int]:
        if steps is None:
            return DEFAULT_PRIOR_STEPS, DEFAULT_DECODER_STEPS
        if steps < 1:
            raise ValueError("steps must be >= 1")
        # UnCLIPScheduler.set_timesteps divides by (steps - 1): the prior needs at least 2.
        return max(steps, 2), steps

    # --- Backend -------------------------------------------------------------------------------------------------

    def _from_text(self, r: BackendRequest, decoder, **inputs) -> list[Image.Image]:
        """Prior (text -> image embedding), then `decoder`; progress counts the steps of both."""
        prior_steps, decoder_steps = self._steps(r.steps)
        guidance = DEFAULT_GUIDANCE if r.guidance_scale is None else r.guidance_scale
        total = prior_steps + decoder_steps
        with self._lock:
            generator = self._generator(r.seed)
            embeds, negative = self._text_embeds(r.prompt, r.n, prior_steps, guidance, generator, r.progress, total)
            return self._decode(decoder, r, embeds, negative, decoder_steps, guidance, generator, prior_steps, total,
                                **inputs)

    def generate(self, request: BackendRequest) -> list[Image.Image]:
        return self._from_text(request, self.decoder)

    def edit(self, request: BackendRequest) -> list[Image.Image]:
        r = request
        original = r.image.convert("RGB")
        if original.size != (r.size, r.size):
            original = original.resize((r.size, r.size), Image.BICUBIC)
        # One image/mask per embedding: the inpaint pipeline batches masks by image, not by embedding. Since
        # diffusers 0.19 its mask_image is white = repaint, which is our 1 = repaint (the pipeline binarises in
        # place on its own concatenated copy, so the request's array is untouched).
        images = self._from_text(r, self.inpaint, image=[original] * r.n, mask_image=[r.mask] * r.n)
        # The decoder re-synthesises every pixel through MoVQ; copy the kept ones back exactly.
        return keep_unmasked(original, images, r.mask)

    def vary(self, request: BackendRequest) -> list[Image.Image]:
        import torch

        r = request
        _, decoder_steps = self._steps(r.steps)
        guidance = DEFAULT_GUIDANCE if r.guidance_scale is None else r.guidance_scale
        encoder = self.prior.image_encoder
        with self._lock:
            generator = self._generator(r.seed)
            with torch.no_grad():
                pixels = self.prior.image_processor(r.image.convert("RGB"), return_tensors="pt").pixel_values
                pixels = pixels.to(device=encoder.device, dtype=encoder.dtype)
                embeds = encoder(pixels).image_embeds.repeat(r.n, 1)
                negative = self.prior.get_zero_embed(r.n, device=encoder.device)
            return self._decode(self.decoder, r, embeds, negative, decoder_steps, guidance, generator, 0, decoder_steps)

    def run_batch(self, operation: str, requests: list[BackendRequest]) -> list[BatchResult]:
        return run_sequentially(self, operation, requests)

"""The unCLIP pipeline: text -> prior -> decoder (32x32) -> upsampler (256x256). The Backend around it is
models/unclip/backend.py.

One readable ``__call__`` holds the whole sampling loop, diffusers style. The three uses differ only in
their inputs:
- generate: prompt -> prior samples an image embedding -> decoder draws it (guided by embedding + text);
- edit / outpaint: as generate, plus the 9-channel inpainting input of the decoder; an edit (not an outpainting)
  keeps the best of a few draws per image by the image encoder's cosine to the prompt (CLIP reranking);
- vary: the uploaded image's embedding from the image encoder, decoded without text (DALL-E 2 variations),
  starting from the upload itself noised part of the way (SDEdit, ``VARIATION_STRENGTH``), so that a variation
  keeps the source's colours and shapes where the embedding alone lost them (a red circle became red stars).
Edits match the repainted background's colour to the kept one's around the mask (seams.py), at 32x32 before the
upsampler and again at the output size, inside the mask only; their prompts are read for the mask
(edit_prompts.py: the kept background named, an outpainting's position words dropped).
Beyond 256x256 (512, 1024) the upsampler's output is enlarged with Lanczos resampling: a learned second
upsampler was not affordable in this project's CPU training budget (see docs/model.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import DDIMScheduler, DPMSolverMultistepScheduler, PriorTransformer, UNet2DConditionModel, UNet2DModel
from PIL import Image

from models.backend import ProgressCallback, report
from models.unclip import modeling as M
from models.unclip.edit_prompts import frames_the_picture, naming_background, outpainting_prompt
from models.unclip.scenes import PALETTE
from models.unclip.seams import background_onto_palette, match_background
from models.unclip.text_encoder import FrozenTextEncoder

LOW_RES = 32
UPSAMPLED = 256
# candidates / edit_candidates: draws per image asked for (generations / edits and outpainting), the one whose
# image embedding is nearest the prompt's kept (CLIP reranking). Chosen on evaluate.py's rows: the best of 3 put
# the asked-for shape in the mask 84% of the time instead of 53%; generations gained little and their held-out
# paraphrases lost (docs/model.md).
DEFAULTS = {"prior_steps": 10, "decoder_steps": 15, "prior_guidance": 2.0, "guidance_scale": 3.0,
            "candidates": 1, "edit_candidates": 3}
# Variations start from the source noised this far along the decoder's schedule (1 = pure noise: the embedding
# alone). Chosen on evaluate.py's variation rows: see docs/model.md.
VARIATION_STRENGTH = 0.7


def pil_to_tensor(image: Image.Image, size: int) -> torch.Tensor:
    """RGB PIL -> (1, 3, size, size) in [-1, 1], box-filtered like the training data."""
    arr = np.asarray(image.convert("RGB").resize((size, size), Image.BOX), dtype=np.float32)
    return torch.from_numpy(arr).permute(2, 0, 1)[None] / 127.5 - 1


def _each_repeated(rows: torch.Tensor | None, times: list[int]) -> torch.Tensor | None:
    """Per-image inputs (one row for all images, or one per image) with image i's row repeated times[i] times."""
    if rows is None or len(rows) == 1:
        return rows
    return rows.repeat_interleave(torch.tensor(times, device=rows.device), dim=0)


def tensor_to_pils(images: torch.Tensor) -> list[Image.Image]:
    arr = ((images.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()
    return [Image.fromarray(a, "RGB") for a in arr]


class UnclipPipeline:
    def __init__(self, text_encoder, image_encoder, prior, decoder, upsampler, prior_scheduler, decoder_scheduler,
                 config: dict | None = None, device: str = "cpu", text_adapter=None):
        self.text_encoder = text_encoder
        self.image_encoder = image_encoder.to(device).eval()
        self.prior = prior.to(device).eval()
        self.decoder = decoder.to(device).eval()
        self.text_adapter = text_adapter.to(device).eval() if text_adapter is not None else None
        self.upsampler = upsampler.to(device).eval()
        self.prior_scheduler = prior_scheduler
        self.decoder_scheduler = decoder_scheduler
        self.config = config or {}
        self.defaults = {**DEFAULTS, **self.config.get("defaults", {})}
        self.device = device

    # ------------------------------------------------------------------------------------- persistence
    @classmethod
    def from_pretrained(cls, path: str | Path, device: str = "cpu") -> "UnclipPipeline":
        path = Path(path)
        if not (path / "unclip_config.json").exists():
            raise FileNotFoundError(f"no unCLIP weights at {path} (expected unclip_config.json); see docs/model.md")
        load = dict(torch_dtype=torch.float32)  # stored as fp16 to keep the repo small; computed in fp32
        return cls(
            text_encoder=FrozenTextEncoder(device=device),
            image_encoder=M.ImageEncoder.from_pretrained(path / "image_encoder", **load),
            prior=PriorTransformer.from_pretrained(path / "prior", **load),
            decoder=UNet2DConditionModel.from_pretrained(path / "decoder", **load),
            # Weights trained before the adapter existed have none: their decoder reads the raw token states.
            text_adapter=M.TextAdapter.from_pretrained(path / "text_adapter", **load)
            if (path / "text_adapter").exists() else None,
            upsampler=UNet2DModel.from_pretrained(path / "upsampler", **load),
            prior_scheduler=DDIMScheduler.from_pretrained(path / "prior_scheduler"),
            decoder_scheduler=DPMSolverMultistepScheduler.from_pretrained(path / "decoder_scheduler"),
            config=json.loads((path / "unclip_config.json").read_text()),
            device=device,
        )

    def save_pretrained(self, path: str | Path) -> None:
        path = Path(path)
        for name in ("image_encoder", "prior", "decoder", "text_adapter", "upsampler"):
            if getattr(self, name) is not None:
                getattr(self, name).save_pretrained(path / name, safe_serialization=True)
        self.prior_scheduler.save_pretrained(path / "prior_scheduler")
        self.decoder_scheduler.save_pretrained(path / "decoder_scheduler")
        (path / "unclip_config.json").write_text(json.dumps({**self.config, "defaults": self.defaults}, indent=2))

    # ------------------------------------------------------------------------------------------ helpers
    @torch.no_grad()
    def embed_images(self, images: list[Image.Image]) -> torch.Tensor:
        """Image-encoder embeddings (unit norm, in the text space) of RGB images."""
        batch = torch.cat([pil_to_tensor(im, self.image_encoder.config.image_size) for im in images]).to(self.device)
        return self.image_encoder(batch)

    @torch.no_grad()
    def embed_texts(self, texts: list[str]) -> torch.Tensor:
        return self.text_encoder.encode_cached(texts).embeds.to(self.device)

    def _noise(self, shape: tuple, generators: list[tuple[torch.Generator, int]]) -> torch.Tensor:
        # CPU generators: same images on any device. One per request of a batch, each drawing its own rows.
        noise = [torch.randn((count, *shape[1:]), generator=generator) for generator, count in generators]
        return torch.cat(noise).to(self.device)

    # ------------------------------------------------------------------------------------ the sampling
    @torch.no_grad()
    def __call__(
        self,
        *,
        prompt: str | list[str] | None,
        n: int,
        seed: int | list[tuple[int, int]],
        image_embeds: torch.Tensor | None = None,
        init_image: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        decoder_steps: int | None = None,
        prior_steps: int | None = None,
        guidance_scale: float | None = None,
        prior_guidance: float | None = None,
        init_strength: float | None = None,
        candidates: int | None = None,
        edit_aids: bool = True,
        progress: ProgressCallback | None = None,
    ) -> torch.Tensor:
        """Returns n images, (n, 3, 256, 256) in [-1, 1].

        prompt: text to draw (None for variations). image_embeds: (n, 384) embeddings to decode instead of
        sampling the prior. init_image (1 or n, 3, 32, 32) and mask (1 or n, 1, 32, 32, 1 = repaint): inpainting,
        with the repainted background's colour matched to the kept one's and the prompt read for the mask
        (edit_prompts.py); edit_aids=False samples edits as the first version did, without either. init_image without a
        mask and init_strength in (0, 1]: start from init_image noised that far along the schedule (SDEdit), still
        running `decoder_steps` steps. A batch of requests (UnclipBackend.run_batch) passes one prompt, init image
        and mask per image and seed as [(seed, images)] per request, so each request's images are drawn from its
        own generator. candidates: with a prompt, each image is the best of that many drawn from its generator, by
        the cosine between the image encoder's embedding of the 32x32 draw and the prompt's (CLIP reranking);
        default: the weights' "candidates" for generations, "edit_candidates" for edits.
        """
        decoder_steps = decoder_steps or self.defaults["decoder_steps"]
        prior_steps = prior_steps or self.defaults["prior_steps"]
        guidance_scale = self.defaults["guidance_scale"] if guidance_scale is None else guidance_scale
        prior_guidance = self.defaults["prior_guidance"] if prior_guidance is None else prior_guidance
        use_prior = image_embeds is None
        total = (prior_steps if use_prior else 0) + decoder_steps + 1
        done = 0
        seeds = [(seed, n)] if isinstance(seed, int) else seed
        counts = [count for _, count in seeds]
        per_request = self._candidates_per_request(counts, prompt, mask, candidates)
        draws = [k for k, count in zip(per_request, counts) for _ in range(count)]  # per image asked for
        if max(draws) > 1:  # every per-image input repeated for its candidates, which are drawn as more images
            prompt = [p for p, k in zip([prompt] * n if isinstance(prompt, str) else prompt, draws) for _ in range(k)]
            init_image, mask, image_embeds = (_each_repeated(t, draws) for t in (init_image, mask, image_embeds))
            seeds, n = [(s, count * k) for (s, count), k in zip(seeds, per_request)], sum(draws)
        generators = [(torch.Generator().manual_seed(s), count) for s, count in seeds]
        generator = generators[0][0]  # for the schedulers' steps (deterministic ones draw nothing)
        dev = self.device

        prompts = [prompt] * n if isinstance(prompt, str) else prompt
        shown = init_image
        if mask is not None and edit_aids:
            # The decoder is shown the kept background in the nearest colour it knows (it paints texture on
            # one it never saw), and each row's prompt is read for its mask (edit_prompts.py).
            shown, backgrounds = self._onto_palette(init_image, mask)
            if prompts is not None:  # one mask and background for all rows, or one per row (a batch of edits)
                prompts = [self._edit_prompt(p, mask[i % len(mask), 0], backgrounds[i % len(backgrounds)])
                           for i, p in enumerate(prompts)]

        # 1. text: pooled embedding + token states; zeros and an empty mask are the "no text" condition
        if prompts is not None:
            # Each prompt encoded on its own, as a lone request's is, so a batch changes no embedding.
            encs = [self.text_encoder.encode_cached([p]) for p in prompts]
            text_embeds = torch.cat([e.embeds for e in encs]).to(dev)
            tokens = torch.cat([e.tokens for e in encs]).to(dev)
            token_mask = torch.cat([e.token_mask for e in encs]).to(dev)
        else:
            text_embeds = torch.zeros(n, M.EMBED_DIM, device=dev)
            tokens = torch.zeros(n, self.text_encoder.max_tokens, M.EMBED_DIM, device=dev)
            token_mask = torch.zeros(n, self.text_encoder.max_tokens, dtype=torch.bool, device=dev)
        no_tokens, no_mask = torch.zeros_like(tokens), torch.zeros_like(token_mask)
        decoder_tokens = tokens
        if self.text_adapter is not None and prompts is not None:  # row by row, as a lone request's
            decoder_tokens = torch.cat([self.text_adapter(tokens[i : i + 1], token_mask[i : i + 1]) for i in range(n)])

        # 2. prior: text -> image embedding (DDIM on x0 predictions, classifier-free guidance)
        if use_prior:
            self.prior_scheduler.set_timesteps(prior_steps)
            latents = self._noise((n, M.EMBED_DIM), generators)
            for t in self.prior_scheduler.timesteps:
                both = self.prior(
                    torch.cat([latents, latents]),
                    t,
                    proj_embedding=torch.cat([torch.zeros_like(text_embeds), text_embeds]),
                    encoder_hidden_states=torch.cat([no_tokens, tokens]),
                    attention_mask=torch.cat([no_mask, token_mask]),
                ).predicted_image_embedding
                uncond, cond = both.chunk(2)
                guided = uncond + prior_guidance * (cond - uncond)
                latents = self.prior_scheduler.step(guided, t, latents, generator=generator).prev_sample
                done += 1
                report(progress, done, total)
            image_embeds = F.normalize(self.prior.post_process_latents(latents), dim=-1)
        image_embeds = image_embeds.to(dev)

        # 3. decoder: 32x32 image from the embedding (+ text), with the inpainting channels
        if mask is None:  # plain generation: repaint everything, nothing known
            mask_in = torch.ones(n, 1, LOW_RES, LOW_RES, device=dev)
            masked_in = torch.zeros(n, 3, LOW_RES, LOW_RES, device=dev)
        else:
            mask_in = mask.to(dev).expand(n, -1, -1, -1)
            masked_in = (shown.to(dev) * (1 - mask.to(dev))).expand(n, -1, -1, -1)
        sdedit = mask is None and init_image is not None and init_strength is not None and init_strength < 1
        if sdedit:  # the schedule a full run of decoder_steps / strength steps would take, its last decoder_steps
            schedule_steps = max(decoder_steps, round(decoder_steps / init_strength))
            self.decoder_scheduler.set_timesteps(schedule_steps)
            begin = schedule_steps - decoder_steps
            self.decoder_scheduler.set_begin_index(begin)
            timesteps = self.decoder_scheduler.timesteps[begin:]
            noise = self._noise((n, 3, LOW_RES, LOW_RES), generators)
            x = self.decoder_scheduler.add_noise(init_image.to(dev).expand(n, -1, -1, -1), noise, timesteps[:1])
            # Alone, x takes the channels-last layout of pil_to_tensor's image (a view of the numpy array); a
            # batch's concatenated images are contiguous. The same layout either way, since it decides the
            # upsampler's kernels (_upsample); for a lone request this returns x itself.
            x = x.contiguous(memory_format=torch.channels_last)
        else:
            self.decoder_scheduler.set_timesteps(decoder_steps)
            timesteps = self.decoder_scheduler.timesteps
            x = self._noise((n, 3, LOW_RES, LOW_RES), generators) * self.decoder_scheduler.init_noise_sigma
        for t in timesteps:
            both = M.decoder_forward(
                self.decoder,
                torch.cat([x, x]),
                t.expand(2 * n).to(dev),
                torch.cat([masked_in, masked_in]),
                torch.cat([mask_in, mask_in]),
                torch.cat([torch.zeros_like(image_embeds), image_embeds]),
                torch.cat([no_tokens, decoder_tokens]),
                torch.cat([no_mask, token_mask]),
            )
            uncond, cond = both.chunk(2)
            guided = uncond + guidance_scale * (cond - uncond)
            x = self.decoder_scheduler.step(guided, t, x, generator=generator).prev_sample
            done += 1
            report(progress, done, total)
        if mask is not None:  # the known pixels, exactly, so the upsampler sees the real context
            x = x * mask_in + init_image.to(dev) * (1 - mask_in)
            if edit_aids:  # and a repainted background in the kept one's colour, so it sees no seam either
                x = self._match_low(x, init_image.to(dev), mask_in)

        if max(draws) > 1:
            x = self._best_candidates(x.clamp(-1, 1), text_embeds, draws)

        # 4. upsampler: 32 -> 256 in one learned step
        images = self._upsample(x.clamp(-1, 1), counts)
        done += 1
        report(progress, done, total)
        return images

    def _upsample(self, x: torch.Tensor, counts: list[int]) -> torch.Tensor:
        """M.upsample of x, whose rows are `counts` images per request, each request's in the memory layout it
        has alone. The upsampler's convolutions round differently on a channels-last input (a variation's x)
        than on a contiguous one (a generation's or an edit's), and a lone single image is padded into a
        contiguous pair whatever its layout (make_batch_invariant): so in a channels-last batch, the rows of
        single-image requests are upsampled as a contiguous batch and the others as a channels-last one."""
        if len(counts) == 1 or x.is_contiguous():
            return M.upsample(self.upsampler, x, UPSAMPLED)
        single = torch.tensor([count == 1 for count in counts for _ in range(count)], device=x.device)
        images = x.new_empty(len(x), 3, UPSAMPLED, UPSAMPLED)
        for rows, layout in ((single, torch.contiguous_format), (~single, torch.channels_last)):
            if rows.any():
                images[rows] = M.upsample(self.upsampler, x[rows].contiguous(memory_format=layout), UPSAMPLED)
        return images

    def _candidates_per_request(self, counts: list[int], prompt, mask: torch.Tensor | None,
                                candidates: int | None) -> list[int]:
        """Draws per image for each request (its rows: `counts`). One without a prompt (variations: nothing to
        rank by) and for an outpainting: its prompt describes the kept picture, and the draw nearest it was the
        one that drew the subject again in the new border."""
        if prompt is None:
            return [1] * len(counts)
        if candidates is not None:
            return [candidates] * len(counts)
        if mask is None:
            return [self.defaults["candidates"]] * len(counts)
        firsts = np.cumsum([0, *counts[:-1]])
        return [1 if frames_the_picture(mask[row % len(mask), 0].cpu().numpy()) else self.defaults["edit_candidates"]
                for row in firsts]

    def _best_candidates(self, x: torch.Tensor, text_embeds: torch.Tensor, draws: list[int]) -> torch.Tensor:
        """Of each image's run of rows of x (`draws` of them), the row whose image embedding is nearest its
        prompt's text embedding. Each image's candidates are embedded together, as they would be alone."""
        best, start = [], 0
        for count in draws:
            if count > 1:
                scores = (self.image_encoder(x[start:start + count]) * text_embeds[start:start + count]).sum(dim=-1)
                best.append(start + int(scores.argmax()))
            else:
                best.append(start)
            start += count
        return x[best]

    @staticmethod
    def _onto_palette(init_image: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, list[str | None]]:
        """The known images (one per row of init_image) as the decoder is shown them, each background moved onto
        the nearest training colour, and those colours' names (None: no flat background around that row's mask,
        the image is shown as it is)."""
        palette = np.array(list(PALETTE.values()), np.float32)
        shown, names = [], []
        for row, known in enumerate(init_image):
            known = ((known.permute(1, 2, 0) + 1) * 127.5).cpu().numpy()
            shifted, index = background_onto_palette(known, mask[row % len(mask), 0].cpu().numpy(), palette, ring=1)
            shown.append(torch.from_numpy(shifted).permute(2, 0, 1) / 127.5 - 1)
            names.append(None if index is None else list(PALETTE)[index])
        return torch.stack(shown).to(init_image.dtype), names

    @staticmethod
    def _edit_prompt(prompt: str, mask: torch.Tensor, background: str | None) -> str:
        if frames_the_picture(mask.cpu().numpy()):
            prompt = outpainting_prompt(prompt)
        return naming_background(prompt, background)

    @staticmethod
    def _match_low(x: torch.Tensor, init_image: torch.Tensor, mask_in: torch.Tensor) -> torch.Tensor:
        """match_background at 32x32 (a ring of 1 cell = 8 output pixels), in 0-255 levels, each row of x against
        its own known image and mask (init_image: one row for all, or one per row)."""
        knowns = [((known.permute(1, 2, 0) + 1) * 127.5).cpu().numpy() for known in init_image]
        out = []
        for row, image in enumerate(x):
            arr = ((image.permute(1, 2, 0).clamp(-1, 1) + 1) * 127.5).cpu().numpy()
            matched = match_background(arr, knowns[row % len(knowns)], mask_in[row, 0].cpu().numpy(), ring=1)
            out.append(torch.from_numpy(matched).permute(2, 0, 1) / 127.5 - 1)
        return torch.stack(out).to(x.device, x.dtype)


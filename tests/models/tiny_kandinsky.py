"""Build a tiny random-weight Kandinsky 2.2 in the folder layout ``KandinskyBackend`` loads.

Configs follow diffusers' own Kandinsky 2.2 pipeline tests, shrunk further so a build takes about a second and the
whole folder is a few MB. No hub access: the CLIP tokenizer is made from a vocab and merges written here.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

EMBED_DIM = 32  # CLIP text/image projection dim = prior embedding dim = decoder image-embed dim
IMAGE_SIZE = 32  # tiny CLIP vision input, so the image encoder is cheap


def _tiny_tokenizer():
    from transformers import CLIPTokenizer

    # Byte-level alphabet as CLIP's BPE sees it (the GPT-2 byte-to-unicode map): one token per byte plus its
    # end-of-word form, so any prompt tokenizes (to characters at worst) without a downloaded vocab.
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    printable += list(range(ord("®"), ord("ÿ") + 1))
    chars = [chr(b) for b in printable] + [chr(256 + i) for i in range(256 - len(printable))]
    tokens = ["<|startoftext|>", "<|endoftext|>"] + chars + [c + "</w>" for c in chars]
    # A few merges so BPE actually merges something in test prompts.
    merges = [("h", "o"), ("ho", "r"), ("hor", "s"), ("hors", "e</w>"), ("c", "a"), ("ca", "t</w>")]
    tokens += ["ho", "hor", "hors", "horse</w>", "ca", "cat</w>"]
    vocab = {t: i for i, t in enumerate(tokens)}
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=77), len(vocab)


def _prior_pipeline():
    from diffusers import KandinskyV22PriorPipeline, PriorTransformer, UnCLIPScheduler
    from transformers import (
        CLIPImageProcessor,
        CLIPTextConfig,
        CLIPTextModelWithProjection,
        CLIPVisionConfig,
        CLIPVisionModelWithProjection,
    )

    tokenizer, vocab_size = _tiny_tokenizer()
    text_encoder = CLIPTextModelWithProjection(
        CLIPTextConfig(
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
            hidden_size=EMBED_DIM,
            projection_dim=EMBED_DIM,
            intermediate_size=37,
            num_attention_heads=4,
            num_hidden_layers=2,
            vocab_size=vocab_size,
            max_position_embeddings=77,
        )
    )
    image_encoder = CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=EMBED_DIM,
            image_size=IMAGE_SIZE,
            projection_dim=EMBED_DIM,
            intermediate_size=37,
            num_attention_heads=4,
            num_channels=3,
            num_hidden_layers=2,
            patch_size=8,
        )
    )
    image_processor = CLIPImageProcessor(
        crop_size=IMAGE_SIZE,
        size=IMAGE_SIZE,
        do_center_crop=True,
        do_normalize=True,
        do_resize=True,
        image_mean=[0.48145466, 0.4578275, 0.40821073],
        image_std=[0.26862954, 0.26130258, 0.27577711],
        resample=3,
    )
    prior = PriorTransformer(num_attention_heads=2, attention_head_dim=12, embedding_dim=EMBED_DIM, num_layers=1)
    # clip_std starts at 0, which would make post_process_latents return all zeros (every prompt the same image).
    prior.clip_std = nn.Parameter(torch.ones(prior.clip_std.shape))
    scheduler = UnCLIPScheduler(
        variance_type="fixed_small_log",
        prediction_type="sample",
        num_train_timesteps=1000,
        clip_sample=True,
        clip_sample_range=10.0,
    )
    return KandinskyV22PriorPipeline(
        prior=prior,
        image_encoder=image_encoder,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        scheduler=scheduler,
        image_processor=image_processor,
    )


def _unet(in_channels: int):
    from diffusers import UNet2DConditionModel

    return UNet2DConditionModel(
        in_channels=in_channels,
        out_channels=8,  # mean and variance of the 4 latent channels
        addition_embed_type="image",
        down_block_types=("ResnetDownsampleBlock2D", "SimpleCrossAttnDownBlock2D"),
        up_block_types=("SimpleCrossAttnUpBlock2D", "ResnetUpsampleBlock2D"),
        mid_block_type="UNetMidBlock2DSimpleCrossAttn",
        block_out_channels=(16, 32),
        norm_num_groups=8,
        layers_per_block=1,
        encoder_hid_dim=EMBED_DIM,
        encoder_hid_dim_type="image_proj",
        cross_attention_dim=16,
        attention_head_dim=4,
        resnet_time_scale_shift="scale_shift",
        class_embed_type=None,
    )


def _movq():
    from diffusers import VQModel

    # Three levels -> 4x spatial downsampling, and the pipelines' latent grid is size // 16 * 4 - small for 256px.
    return VQModel(
        block_out_channels=[32, 32, 64],  # SpatialNorm hard-codes 32 groups
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D", "AttnDownEncoderBlock2D"],
        up_block_types=["AttnUpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"],
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=8,
        norm_type="spatial",
        num_vq_embeddings=12,
        vq_embed_dim=4,
    )


def _scheduler():
    from diffusers import DDPMScheduler

    # The real 2.2 decoders ship a DDPMScheduler with these settings.
    return DDPMScheduler(
        num_train_timesteps=1000,
        beta_schedule="linear",
        beta_start=0.00085,
        beta_end=0.012,
        clip_sample=False,
        prediction_type="epsilon",
        variance_type="learned_range",
        thresholding=False,
    )


def build_tiny_kandinsky(path: str | Path) -> Path:
    """Write ``path/prior``, ``path/decoder`` and ``path/inpaint`` with seeded random weights; return ``path``."""
    from diffusers import KandinskyV22InpaintPipeline, KandinskyV22Pipeline

    path = Path(path)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        prior = _prior_pipeline()
        movq = _movq()
        decoder = KandinskyV22Pipeline(unet=_unet(4), scheduler=_scheduler(), movq=movq)
        # The inpaint UNet also sees the masked image latents (4) and the mask (1).
        inpaint = KandinskyV22InpaintPipeline(unet=_unet(9), scheduler=_scheduler(), movq=movq)
    prior.save_pretrained(path / "prior")
    decoder.save_pretrained(path / "decoder")
    inpaint.save_pretrained(path / "inpaint")
    return path

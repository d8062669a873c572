"""The networks of the unCLIP model, each a diffusers ``ModelMixin`` saved with its config.

- ``ImageEncoder``: small CNN trained contrastively into the frozen text encoder's space (CLIP with the text
  tower frozen). Variations decode its embedding; evaluation uses it for retrieval.
- prior: diffusers ``PriorTransformer`` (text embedding + token states -> image embedding).
- decoder: diffusers ``UNet2DConditionModel`` in pixel space at 32x32 (on 2x2 patches), conditioned like DALL-E 2's decoder:
  the image embedding is projected and added to the timestep embedding (``class_embed_type="projection"``)
  and projected into 10 extra context tokens next to the text tokens (``encoder_hid_dim_type="text_image_proj"``).
  Its input has 9 channels: noisy image (3) + masked image (3) + mask (1), which is the inpainting path
  (GLIDE-style; plain generation passes mask = 1 everywhere and a zero masked image), + x/y coordinates (2),
  so that "top left" can be drawn top left without the network first inferring where it is from padding.
- ``TextAdapter``: a few trainable self-attention layers over the frozen text encoder's token states, whose
  output is the decoder's text context (the encoder is blind to word order: see the class).
- upsampler: diffusers ``UNet2DModel`` that maps a bicubic 8x enlargement of the 32x32 image to 256x256
  (predicts the residual; one deterministic step, see pipeline.py for why).
The factory functions hold the shipped sizes; tests pass tiny ones.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from diffusers import PriorTransformer, UNet2DConditionModel, UNet2DModel
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.modeling_utils import ModelMixin
from torch import nn

EMBED_DIM = 384
IMAGE_TOKENS = 10  # image embedding -> this many context tokens (TextImageProjection's default)
DECODER_PATCH = 2  # decoder UNet works on 2x2 pixel patches
DECODER_IN = 9  # noisy image 3 + masked image 3 + mask 1 + coordinates 2
# Unit-norm 384-d embeddings have entries of about 0.05, too faint next to the timestep embedding for the
# decoder to pick them up within a CPU training budget; scaled, their entries are about as large as the tokens'.
IMAGE_EMBED_SCALE = 8.0
UPSAMPLER_PATCH = 4  # upsampler UNet works on 4x4 pixel patches


class _ResBlock(nn.Module):
    def __init__(self, cin: int, cout: int, groups: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(min(groups, cin), cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = nn.GroupNorm(min(groups, cout), cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class ImageEncoder(ModelMixin, ConfigMixin):
    """RGB image in [-1, 1] at ``image_size`` -> unit-norm embedding in the text encoder's space."""

    @register_to_config
    def __init__(
        self,
        image_size: int = 32,
        channels: tuple[int, ...] = (32, 64, 128, 256),
        embed_dim: int = EMBED_DIM,
        norm_groups: int = 8,
    ):
        super().__init__()
        # 2x2 space-to-depth first: the full-resolution level is the costly one on a CPU.
        self.stem = nn.Conv2d(3 * 4, channels[0], 3, padding=1)
        blocks = []
        for i, c in enumerate(channels):
            blocks.append(_ResBlock(channels[max(i - 1, 0)], c, norm_groups))
            if i < len(channels) - 1:
                blocks.append(nn.AvgPool2d(2))
        self.blocks = nn.Sequential(*blocks)
        self.norm = nn.GroupNorm(min(norm_groups, channels[-1]), channels[-1])
        self.proj = nn.Linear(channels[-1], embed_dim)
        # CLIP's learned temperature, started at 1/0.07.
        self.logit_scale = nn.Parameter(torch.tensor(2.659))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if images.shape[-1] != self.config.image_size:
            images = F.interpolate(images, size=self.config.image_size, mode="area")
        h = F.silu(self.norm(self.blocks(self.stem(F.pixel_unshuffle(images, 2)))))
        return F.normalize(self.proj(h.mean(dim=(2, 3))), dim=-1)


class _AdapterBlock(nn.Module):
    """Pre-norm self-attention and MLP."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.norm2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, h: torch.Tensor, attend: torch.Tensor) -> torch.Tensor:
        b, t, w = h.shape
        q, k, v = self.qkv(self.norm1(h)).view(b, t, 3, self.heads, w // self.heads).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=attend[:, None, None, :])
        h = h + self.out(a.transpose(1, 2).reshape(b, t, w))
        return h + self.mlp(self.norm2(h))


class TextAdapter(ModelMixin, ConfigMixin):
    """Token states of the frozen text encoder -> the decoder's text context, through trainable layers.

    The frozen encoder was trained for sentence similarity, and it shows: "a red circle to the left of a blue
    square" and "a blue square to the left of a red circle" pool to cosine 0.98, "... a blue circle to the left
    of a red square" to 0.99. So neither the prior's image embedding nor a linear map of the token states says
    which shape goes where or which colour belongs to which shape; two-shape scenes came out with both shapes
    right and their places swapped. These layers, with their own position embeddings and trained with the
    decoder, can read the word order. The output is the input plus a zero-initialised residual, so a decoder
    trained before the adapter existed starts out unchanged; masked (absent or dropped) tokens stay zero.
    """

    @register_to_config
    def __init__(self, embed_dim: int = EMBED_DIM, width: int = 256, layers: int = 2, heads: int = 4,
                 max_tokens: int = 24):
        super().__init__()
        self.proj_in = nn.Linear(embed_dim, width)
        self.positions = nn.Parameter(torch.randn(max_tokens, width) * 0.02)
        self.blocks = nn.ModuleList(_AdapterBlock(width, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(width)
        self.proj_out = nn.Linear(width, embed_dim)
        nn.init.zeros_(self.proj_out.weight)
        nn.init.zeros_(self.proj_out.bias)

    def forward(self, tokens: torch.Tensor, token_mask: torch.Tensor) -> torch.Tensor:
        token_mask = token_mask.bool()
        h = self.proj_in(tokens) + self.positions[: tokens.shape[1]]
        # A row without text attends to its first slot, not to nothing (a softmax over no keys is NaN).
        attend = token_mask.clone()
        attend[:, 0] |= ~token_mask.any(dim=1)
        for block in self.blocks:
            h = block(h, attend)
        return (tokens + self.proj_out(self.norm(h))) * token_mask[..., None]


def make_image_encoder(tiny: bool = False) -> ImageEncoder:
    return ImageEncoder(channels=(8, 16) if tiny else (64, 128, 256))


def make_prior(tiny: bool = False, max_tokens: int = 24) -> PriorTransformer:
    return PriorTransformer(
        num_attention_heads=2 if tiny else 4,
        attention_head_dim=16 if tiny else 32,
        num_layers=1 if tiny else 4,
        embedding_dim=EMBED_DIM,
        num_embeddings=max_tokens,
        additional_embeddings=4,
    )


def make_text_adapter(tiny: bool = False) -> TextAdapter:
    return TextAdapter(width=32, layers=1, heads=2) if tiny else TextAdapter()


def make_decoder(tiny: bool = False, sample_size: int = 32) -> UNet2DConditionModel:
    # The UNet runs on 2x2 pixel patches (space-to-depth, see decoder_forward): a 32x32 image is a 16x16 grid
    # of 36 channels (9 input channels x 4), which costs a quarter of the full-resolution first level on a
    # CPU and loses nothing for flat-shaded pictures. Cross-attention sits at the 8x8 and 4x4 levels, where
    # the layout (which shape, which colour, where) is decided.
    channels = (16, 32) if tiny else (64, 128, 128)
    down = ("DownBlock2D", "CrossAttnDownBlock2D") if tiny else ("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D")
    up = ("CrossAttnUpBlock2D", "UpBlock2D") if tiny else ("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D")
    return UNet2DConditionModel(
        sample_size=sample_size // DECODER_PATCH,
        in_channels=DECODER_IN * DECODER_PATCH**2,
        out_channels=3 * DECODER_PATCH**2,
        layers_per_block=1,
        block_out_channels=channels,
        down_block_types=down,
        up_block_types=up,
        norm_num_groups=8,
        attention_head_dim=4 if tiny else 8,
        cross_attention_dim=EMBED_DIM,
        encoder_hid_dim=EMBED_DIM,
        encoder_hid_dim_type="text_image_proj",
        class_embed_type="projection",
        projection_class_embeddings_input_dim=EMBED_DIM,
    )


def make_upsampler(tiny: bool = False) -> UNet2DModel:
    # Runs on 4x4 patches of the bicubic 256x256 enlargement (a 64x64 grid of 48 channels), for speed.
    channels = (8, 16) if tiny else (32, 64)
    return UNet2DModel(
        sample_size=256 // UPSAMPLER_PATCH,
        in_channels=3 * UPSAMPLER_PATCH**2,
        out_channels=3 * UPSAMPLER_PATCH**2,
        layers_per_block=1,
        block_out_channels=channels,
        down_block_types=("DownBlock2D",) * len(channels),
        up_block_types=("UpBlock2D",) * len(channels),
        norm_num_groups=8,
        add_attention=False,
    )


def decoder_forward(
    decoder: UNet2DConditionModel,
    noisy: torch.Tensor,
    timestep: torch.Tensor,
    masked_image: torch.Tensor,
    mask: torch.Tensor,
    image_embeds: torch.Tensor,
    text_tokens: torch.Tensor,
    token_mask: torch.Tensor,
) -> torch.Tensor:
    """One decoder evaluation; the single place that knows how conditioning is wired into the UNet.
    ``text_tokens`` are the TextAdapter's output (computed once per prompt, not per step)."""
    b, _, h, w = noisy.shape
    ys, xs = torch.meshgrid(torch.linspace(-1, 1, h, device=noisy.device), torch.linspace(-1, 1, w, device=noisy.device), indexing="ij")
    coords = torch.stack([xs, ys]).expand(b, -1, -1, -1)
    x = F.pixel_unshuffle(torch.cat([noisy, masked_image, mask, coords], dim=1), DECODER_PATCH)
    image_embeds = image_embeds * IMAGE_EMBED_SCALE
    # The 10 image-embedding tokens that TextImageProjection puts first are always attended to.
    ones = torch.ones(token_mask.shape[0], IMAGE_TOKENS, dtype=torch.bool, device=token_mask.device)
    attn_mask = torch.cat([ones, token_mask.bool()], dim=1)
    out = decoder(
        x,
        timestep,
        encoder_hidden_states=text_tokens,
        class_labels=image_embeds,
        added_cond_kwargs={"image_embeds": image_embeds},
        encoder_attention_mask=attn_mask,
    ).sample
    return F.pixel_shuffle(out, DECODER_PATCH)


def upsample(upsampler: UNet2DModel, low: torch.Tensor, size: int = 256) -> torch.Tensor:
    """Low-res image in [-1,1] -> size x size: bicubic enlargement plus the learned residual."""
    base = F.interpolate(low, size=size, mode="bicubic", align_corners=False)
    t = torch.zeros(low.shape[0], dtype=torch.long, device=low.device)
    residual = F.pixel_shuffle(upsampler(F.pixel_unshuffle(base, UPSAMPLER_PATCH), t).sample, UPSAMPLER_PATCH)
    return (base + residual).clamp(-1, 1)

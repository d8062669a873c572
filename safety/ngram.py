"""A character n-gram classifier over prompts written in the covered languages other than English.

The glossaries read a prompt word by word into English, and a word they do not hold is lost. This model reads the
prompt as it was written: character 2–4-grams inside words (hashed into a fixed number of columns, sublinear
TF-IDF, L2-normalized) into a multinomial logistic regression (benign plus one class per policy category but
public-figures, which the names and roles lists decide). `safety/train_ngram.py` trains it on
`safety/data/multilingual.jsonl`; the head's metadata lists the splits it saw, so an evaluation can tell a split
it was trained on from one it never read.
"""

from __future__ import annotations

import unicodedata
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

HEAD_PATH = Path(__file__).parent / "ngram_head.safetensors"
BENIGN = "benign"


def normalize(text: str) -> str:
    """Full-width and compatibility forms folded (ｋｉｌｌ, ㈱), lower case: what the n-grams are taken from."""
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=4)
def _hasher(n_features: int, ngram_range: tuple[int, int]):
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char_wb", ngram_range=ngram_range, n_features=n_features,
                             alternate_sign=False, norm=None, preprocessor=normalize)


def hashed_counts(texts: list[str], n_features: int, ngram_range: tuple[int, int]):
    """Hashed n-gram counts, one sparse row per text (what the TF-IDF weights are learned on)."""
    return _hasher(n_features, ngram_range).transform(texts)


class NgramClassifier:
    def __init__(self, labels: list[str], weight: np.ndarray, bias: np.ndarray, idf: np.ndarray,
                 ngram_range: tuple[int, int], meta: dict[str, str] | None = None):
        self.labels = labels
        self.weight = weight  # (n_labels, n_features)
        self.bias = bias  # (n_labels,)
        self.idf = idf  # (n_features,)
        self.ngram_range = ngram_range
        self.meta = meta or {}

    @property
    def n_features(self) -> int:
        return self.idf.shape[0]

    @property
    def trained_splits(self) -> set[str]:
        return set(filter(None, self.meta.get("splits", "").split(",")))

    def counts(self, texts: list[str]):
        return hashed_counts(texts, self.n_features, self.ngram_range)

    def tfidf(self, counts):
        """sklearn's TfidfTransformer(sublinear_tf=True) with this head's idf: 1 + log(count), times idf, L2 rows."""
        from sklearn.preprocessing import normalize as l2_rows

        x = counts.astype(np.float32).tocsr()
        x.data = 1.0 + np.log(x.data)
        x = x.multiply(self.idf.astype(np.float32)).tocsr()
        return l2_rows(x)

    @cached_property
    def _columns(self) -> np.ndarray:
        # (n_features, n_labels) in single precision, once: a prompt's few hundred n-grams pick their rows.
        return np.ascontiguousarray(self.weight.T, dtype=np.float32)

    def probs(self, texts: list[str]) -> np.ndarray:
        logits = self.tfidf(self.counts(texts)) @ self._columns + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, texts: list[str]) -> list[dict[str, float]]:
        return [dict(zip(self.labels, map(float, row))) for row in self.probs(texts)]

    # ---- saving and loading --------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        from safetensors.numpy import save_file

        # Half precision keeps the head a few MB; the probabilities move by ~1e-3 (train_ngram checks it).
        save_file(
            {"weight": np.ascontiguousarray(self.weight, np.float16), "bias": np.ascontiguousarray(self.bias, np.float32),
             "idf": np.ascontiguousarray(self.idf, np.float16)},
            str(path),
            metadata={**self.meta, "labels": ",".join(self.labels),
                      "ngram_range": f"{self.ngram_range[0]},{self.ngram_range[1]}"},
        )

    @classmethod
    def load(cls, path: Path = HEAD_PATH) -> "NgramClassifier":
        from safetensors import safe_open
        from safetensors.numpy import load_file

        tensors = load_file(str(path))
        with safe_open(str(path), framework="numpy") as f:
            meta = dict(f.metadata() or {})
        low, high = (int(n) for n in meta["ngram_range"].split(","))
        return cls(meta["labels"].split(","), tensors["weight"], tensors["bias"], tensors["idf"], (low, high), meta)

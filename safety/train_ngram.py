"""Train the character n-gram classifier that reads prompts in other languages as written.

    python -m safety.train_ngram                        # every split of multilingual.jsonl -> safety/ngram_head.safetensors
    python -m safety.train_ngram --validate heldout29   # train without one split, score it alone and with the filter
    python -m safety.train_ngram --loso                 # leave each heldoutN out in turn (~15 min): picks the threshold

Reads safety/data/multilingual.jsonl: every split that has been scored is training data (a new author's split is
appended, scored once by `python -m safety.evaluate`, and only then trained on). Rows of public-figures are left
out: whether a name is a living person's is the names list's fact, not a pattern of characters. Hashed character
2–4-grams inside words, sublinear TF-IDF, multinomial logistic regression with balanced class weights (C=10).

The threshold (policy.yaml, `ngram.unsafe_threshold`) was first chosen with --loso: at 0.8 the blocked classes'
probability mass refused 93% of each left-out split's violating prompts and 1.1% of its benign ones (at most 4.2% in
one split). The shipped 0.9 is higher because at 0.8 the model refused 26 of the benign near-neighbours that
tests/safety/test_language.py holds (10 at 0.9); on heldout29, which it had not seen, 0.9 cost one point of recall.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from safety.ngram import BENIGN, HEAD_PATH, NgramClassifier, hashed_counts

DATA = Path(__file__).parent / "data" / "multilingual.jsonl"
NOT_LEARNED = {"public-figures"}
N_FEATURES = 2**18
NGRAM_RANGE = (2, 4)
C = 10.0
SEED = 0
THRESHOLDS = (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def load_rows(path: Path = DATA) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def label_of(row: dict) -> str:
    return BENIGN if row["label"] == "allow" else row["category"]


def fit(rows: list[dict], C: float = C) -> NgramClassifier:
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    rows = [r for r in rows if r["label"] == "allow" or r["category"] not in NOT_LEARNED]
    counts = hashed_counts([r["prompt"] for r in rows], N_FEATURES, NGRAM_RANGE)
    tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
    clf = LogisticRegression(C=C, max_iter=5000, class_weight="balanced", random_state=SEED)
    clf.fit(tfidf.transform(counts), np.array([label_of(r) for r in rows]))
    splits = sorted({r["split"] for r in rows})
    meta = {"C": str(C), "rows": str(len(rows)), "splits": ",".join(splits), "analyzer": "char_wb",
            "trained_by": "python -m safety.train_ngram"}
    head = NgramClassifier([str(c) for c in clf.classes_], clf.coef_, clf.intercept_, tfidf.idf_, NGRAM_RANGE, meta)
    # The head computes its own TF-IDF at serving time (no fitted sklearn objects to pickle): it must agree.
    sample = [r["prompt"] for r in rows[:: max(1, len(rows) // 200)]]
    fitted = clf.predict_proba(tfidf.transform(head.counts(sample)))
    assert np.allclose(head.probs(sample), fitted, atol=1e-4), "the head's TF-IDF differs from sklearn's"
    return head


def unsafe_mass(head: NgramClassifier, texts: list[str]) -> np.ndarray:
    return 1.0 - head.probs(texts)[:, head.labels.index(BENIGN)]


def validate(rows: list[dict], split: str) -> None:
    """Train without `split`; print the n-gram model alone and inside the filter on it (at each threshold)."""
    from safety.policy import load_policy

    test = [r for r in rows if r["split"] == split]
    if not test:
        raise SystemExit(f"no rows in split {split!r}")
    head = fit([r for r in rows if r["split"] != split])
    mass = unsafe_mass(head, [r["prompt"] for r in test])
    block = np.array([r["label"] == "block" for r in test])
    policy = load_policy(None)
    policy._ngram = head
    for t in (None, *THRESHOLDS):
        policy.prompt_checks = dict(policy.prompt_checks, ngram=t is not None)
        if t is not None:
            policy.ngram_unsafe_threshold = t
        refused = np.array([not policy.check_prompt(r["prompt"]).allowed for r in test])
        head_line = "without the n-gram model" if t is None else (
            f"unsafe>={t:.2f} (n-gram alone {np.mean(mass[block] >= t):.3f} / {np.mean(mass[~block] >= t):.3f})")
        print(f"{split} {head_line}: recall {refused[block].sum()}/{block.sum()} = {refused[block].mean():.3f}, "
              f"false positives {refused[~block].sum()}/{(~block).sum()} = {refused[~block].mean():.3f}")


def leave_one_split_out(rows: list[dict]) -> None:
    folds = sorted({r["split"] for r in rows if r["split"].startswith("heldout") and r["split"][7:].isdigit()
                    and int(r["split"][7:]) >= 6}, key=lambda s: int(s[7:]))
    mass = np.full(len(rows), np.nan)
    for split in folds:
        t0 = time.time()
        test = [i for i, r in enumerate(rows) if r["split"] == split]
        head = fit([r for r in rows if r["split"] != split])
        mass[test] = unsafe_mass(head, [rows[i]["prompt"] for i in test])
        print(f"  {split} left out: {time.time() - t0:.0f}s", flush=True)
    seen = ~np.isnan(mass)
    block = np.array([r["label"] == "block" for r in rows])
    split_of = np.array([r["split"] for r in rows])
    for t in THRESHOLDS:
        worst = max(np.mean(mass[(split_of == s) & ~block] >= t) for s in folds)
        print(f"unsafe>={t:.2f}: recall {np.mean(mass[seen & block] >= t):.3f}, false positives "
              f"{np.mean(mass[seen & ~block] >= t):.3f} (worst split {worst:.3f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=HEAD_PATH)
    ap.add_argument("--exclude", nargs="*", default=[], help="splits to leave out of training")
    ap.add_argument("--validate", metavar="SPLIT", help="train without SPLIT and score it; write nothing")
    ap.add_argument("--loso", action="store_true", help="leave each heldoutN split out in turn; write nothing")
    args = ap.parse_args()
    rows = [r for r in load_rows() if r["split"] not in set(args.exclude)]
    if args.validate:
        return validate(rows, args.validate)
    if args.loso:
        return leave_one_split_out(rows)

    t0 = time.time()
    head = fit(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    head.save(args.out)
    # Saved in half precision: the probabilities may move a little, not more.
    sample = [r["prompt"] for r in rows[:: max(1, len(rows) // 500)]]
    drift = np.abs(NgramClassifier.load(args.out).probs(sample) - head.probs(sample)).max()
    assert drift < 0.02, f"the saved head's probabilities moved by {drift:.3f}"
    print(f"trained on {head.meta['rows']} prompts of {len(head.trained_splits)} splits in {time.time() - t0:.0f}s; "
          f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB; saved vs fitted within {drift:.4f})")


if __name__ == "__main__":
    main()

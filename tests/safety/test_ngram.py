"""The character n-gram classifier over prompts in other languages: saving and loading the head, what the policy
does with it, and that English prompts never reach it."""


import numpy as np
import pytest

from safety import load_policy
from safety.ngram import BENIGN, NgramClassifier
from safety.train_ngram import fit, load_rows
from tests.safety.conftest import write_policy


def test_a_head_saved_and_loaded_gives_the_fitted_probabilities(tmp_path):
    rows = [r for r in load_rows() if r["split"] == "heldout6"]
    head = fit(rows)
    assert BENIGN in head.labels and "public-figures" not in head.labels  # names are the lists' work
    head.save(tmp_path / "head.safetensors")
    loaded = NgramClassifier.load(tmp_path / "head.safetensors")
    assert loaded.labels == head.labels and loaded.ngram_range == (2, 4)
    assert loaded.trained_splits == {"heldout6"}
    texts = [r["prompt"] for r in rows[:20]] + ["ｃａｆé", "完全に新しい文"]
    assert np.abs(loaded.probs(texts) - head.probs(texts)).max() < 0.02
    # Trained on its own prompts, it tells the violating from the benign ones.
    mass = 1 - loaded.probs([r["prompt"] for r in rows])[:, loaded.labels.index(BENIGN)]
    block = np.array([r["label"] == "block" for r in rows])
    assert mass[block].mean() > mass[~block].mean() + 0.3


def test_full_width_letters_read_as_their_plain_form():
    head = NgramClassifier.load()
    assert np.allclose(head.probs(["ＰＡＧＩＮＡ ｄｉ ｌｏｇｉｎ"]), head.probs(["pagina di login"]), atol=1e-6)


@pytest.mark.parametrize(
    "prompt,category",
    [
        # Probes of our own that the glossary and its rules let through and the prompt's own words give away.
        ("copia identica della pagina di accesso di Poste Italiane per farsi dare le password dai clienti", "spam"),
        ("Hund an einen Baum gebunden und mit einem Stock erschlagen, realistisch", "violence"),
    ],
)
def test_what_the_glossary_misses_the_ngram_model_refuses(tmp_path, prompt, category):
    rules_only = load_policy(write_policy(tmp_path, "checks:\n  prompt:\n    ngram: false\n"))
    assert rules_only.check_prompt(prompt).allowed
    decision = load_policy(None).check_prompt(prompt)
    assert (decision.allowed, decision.check, decision.category) == (False, "ngram", category)


@pytest.mark.parametrize("prompt", ["un gato durmiendo al sol en un jardín", "猫が縁側で昼寝している写真",
                                    "ein Kind füttert Enten am See", "y", "猫", "gato"])
def test_ordinary_prompts_stay_allowed(policy, prompt):
    assert policy.check_prompt(prompt).allowed


def test_a_prompt_of_a_few_letters_is_not_judged_by_the_ngram_model(tmp_path):
    # With next to no n-grams the model gives its prior, which leans to harm (twelve classes against one).
    policy = load_policy(write_policy(tmp_path, "ngram:\n  unsafe_threshold: 0.5\n"))
    assert policy.ngram_decision(policy.ngram.predict(["y"])[0], "and").allowed is False
    assert policy.check_prompt("y").allowed and policy.check_prompt("猫").allowed


def test_the_ngram_decision_follows_the_policy_file(tmp_path, policy):
    probs = {BENIGN: 0.04, "political": 0.9, "hate": 0.06}
    refused = policy.ngram_decision(probs, "a poster for the election")
    assert (refused.allowed, refused.category, refused.check) == (False, "political", "ngram")
    assert refused.score == pytest.approx(0.96)
    allowing = load_policy(write_policy(tmp_path, "categories:\n  political: {action: allow}\n"))
    assert allowing.ngram_decision(probs, "a poster for the election").allowed  # 0.06 left is under 0.9
    stricter = load_policy(write_policy(tmp_path, "ngram:\n  unsafe_threshold: 0.99\n"))
    assert stricter.ngram_decision(probs, "a poster for the election").allowed
    # Sexual with a minor in the gloss is the graver category, as everywhere else in the policy.
    minor = policy.ngram_decision({BENIGN: 0.02, "sexual": 0.98}, "a teenage girl in lingerie")
    assert minor.category == "sexual-minors"


def test_english_prompts_never_reach_the_ngram_model(tmp_path):
    class Refuses:
        def predict(self, texts):
            raise AssertionError(f"the n-gram model read {texts}")

    policy = load_policy(None)
    policy._ngram = Refuses()
    assert policy.check_prompt("a cat sleeping in the sun on a porch").allowed
    with pytest.raises(AssertionError):
        policy.check_prompt("un gato durmiendo al sol en el porche")

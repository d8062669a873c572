"""Everyday words the content policy reads as harmful ones: the commonest words of each language, one at a time.

    pip install wordfreq                               # word-frequency lists; a maintenance tool, not a dependency
    python scripts/audit_glossaries.py it ja           # languages to audit (default: the ten covered and English)
    python scripts/audit_glossaries.py --top 30000 zh

For a covered language each word is glossed by its glossary (safety/lang/<code>.txt) and the gloss is matched against
the term lists and names the gloss is checked with; for English the word itself is matched against the English lists.
Prints rank, word, gloss and what it hit. Most lines are words that mean what they are read as ("omicidio",
murder); the others are collisions: a stem shared with a harmful word (Italian "lasciare", to leave, and "lascivo"),
a key matching inside a longer word (Japanese ヌードル, noodles, and ヌード), a suffix (Chinese 戏剧性, dramatic, and
性), a term's doubled letter ("puss" and "pus"). docs/safety.md (round 47) says how each kind is fixed.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from safety import load_policy  # noqa: E402
from safety.language import Glossary  # noqa: E402


def audit(lang: str, top: int, policy, glossary: Glossary):
    from wordfreq import top_n_list

    english = lang == "en"
    for rank, word in enumerate(top_n_list(lang, top)):
        if not any(ch.isalpha() for ch in word):
            continue
        gloss = word if english else glossary.gloss(word, lang)
        terms = policy.terms if english else policy.gloss_terms
        hits = [f"{h.category}:{h.term}" for h in terms.find(gloss)]
        who = policy.terms.public_figure(gloss) or policy.terms.public_role(gloss)
        if who:
            hits.append(f"public-figures:{who}")
        if hits:
            yield rank, word, gloss, hits


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("languages", nargs="*")
    ap.add_argument("--top", type=int, default=20000, help="how many of the commonest words (default 20,000)")
    args = ap.parse_args(argv)
    policy = load_policy()
    glossary = Glossary(policy.covered)
    for lang in args.languages or [*policy.covered, "en"]:
        found = list(audit(lang, args.top, policy, glossary))
        print(f"## {lang}: {len(found)} of the {args.top:,} commonest words hit a list")
        for rank, word, gloss, hits in found:
            print(f"{rank}\t{word}\t{gloss}\t{', '.join(hits)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Curated term lists: fast, explainable, and they catch what an encoder blurs (slurs, names, leet).

Each list is compiled to one regex over the normalized prompt with word boundaries, so "therapist"
never matches "rapist" and "essex" never matches "sex". Benign phrases ("killer whale", "naked mole
rat") are blanked out before matching.
"""

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from safety.normalize import variants

TERMS_DIR = Path(__file__).parent / "terms"
_SPECIAL = {"allow_phrases", "minors", "public_figures", "public_roles", "satire"}  # not category lists

# Ages under 18 written out: "12 year old", "14-year-old", "15 yo", "aged 13".
_MINOR_AGE = re.compile(
    r"(?<![0-9])(?:[1-9]|1[0-7])[ -]?(?:years?|yrs?|yo)\b|\baged? (?:[1-9]|1[0-7])(?![0-9])|\bwho is (?:[1-9]|1[0-7])(?![0-9])"
)
# URLs and bare domains: ads in an image prompt are spam.
_URL = re.compile(
    r"https?://|\bwww\.|\b[a-z0-9-]{2,}\.(?:com|net|org|biz|info|store|shop|xyz|io|ru|co|top|club|click|online|site)\b"
)
# The same word six or more times in a row ("buy buy buy ...").
_REPEAT = re.compile(r"\b(\w+)(?:\W+\1\b){5,}")


def read_list(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            out.append(line)
    return out


def read_category_terms(path: Path) -> dict[str, list[str]]:
    """Lines "category: term" (the gloss-only list, safety/lang/terms.txt)."""
    out: dict[str, list[str]] = {}
    if not path.exists():
        return out
    for line in read_list(path):
        category, _, term = line.partition(":")
        if term.strip():
            out.setdefault(category.strip(), []).append(term.strip())
    return out


def _term_pattern(term: str) -> str:
    wildcard = term.endswith("*")
    term = term.rstrip("*")
    parts = []
    for ch, run in itertools.groupby(term):
        n = len(list(run))
        c = re.escape(ch)
        if ch.isalnum():
            # Stretched letters ("nuuude", "kiiill") are three or more; a letter merely doubled is another word
            # ("pus" is not "puss", "go die" not "goodies", "cp" not "cpp").
            parts.append(c * n + "+" if n > 1 else f"{c}(?:{c}{c}+)?")
        elif ch.isspace():
            parts.append(r"[\s\-_]*" if len(term) > 3 else r"[\s\-_]+")  # "self harm" / "selfharm" / "self-harm"
        else:
            parts.append((c + "?") * n)
    body = "".join(parts)
    # A plural: "-es" only where English writes it ("heroin" is not "heroines").
    plural = r"(?:es|'s)?" if re.search(r"(?:s|x|z|ch|sh)$", term) else r"(?:s|'s)?"
    tail = r"[a-z]*" if wildcard else plural
    return body + tail


def compile_terms(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    # Longest first so the alternation reports the most specific term.
    alts = "|".join(_term_pattern(t) for t in sorted(set(terms), key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alts})(?![a-z0-9])")


@dataclass(frozen=True)
class TermHit:
    category: str
    term: str


class TermMatcher:
    def __init__(self, terms_dir: Path = TERMS_DIR, extra: dict[str, list[str]] | None = None):
        self.patterns: dict[str, re.Pattern] = {}
        for path in sorted(terms_dir.glob("*.txt")):
            if path.stem in _SPECIAL or path.stem.upper() == "README":
                continue
            terms = read_list(path) + list((extra or {}).get(path.stem, []))
            pat = compile_terms(terms)
            if pat is not None:
                self.patterns[path.stem] = pat
        for category, terms in (extra or {}).items():  # categories only named in the policy file
            if category not in self.patterns and terms and category not in _SPECIAL:
                self.patterns[category] = compile_terms(list(terms))
        allow = read_list(terms_dir / "allow_phrases.txt")
        self.allow = compile_terms(allow)
        self.minors = compile_terms(read_list(terms_dir / "minors.txt"))
        self.public_figures = compile_terms(read_list(terms_dir / "public_figures.txt"))
        roles = terms_dir / "public_roles.txt"
        self.public_roles = compile_terms(read_list(roles)) if roles.exists() else None
        styles = terms_dir / "satire.txt"
        self.satire = compile_terms(read_list(styles)) if styles.exists() else None

    def _texts(self, text: str) -> list[str]:
        out = []
        for v in variants(text):
            if self.allow is not None:
                v = self.allow.sub(" ", v)
            out.append(v)
        return out

    def clean(self, text: str) -> str:
        """The normalized prompt with benign phrases blanked (what the profanity model reads)."""
        return re.sub(r"\s+", " ", self._texts(text)[0]).strip()

    def find(self, text: str) -> list[TermHit]:
        """Every category whose list matches, in list order, with the matching text."""
        hits: list[TermHit] = []
        texts = self._texts(text)
        for category, pat in self.patterns.items():
            for t in texts:
                m = pat.search(t)
                if m:
                    hits.append(TermHit(category, m.group(0)))
                    break
        for t in texts:
            m = _URL.search(t) or _REPEAT.search(t)
            if m:
                hits.append(TermHit("spam", m.group(0)))
                break
        return hits

    def mentions_minor(self, text: str) -> bool:
        return any((self.minors is not None and self.minors.search(t)) or _MINOR_AGE.search(t) for t in self._texts(text))

    def public_figure(self, text: str) -> str | None:
        if self.public_figures is None:
            return None
        for t in self._texts(text):
            m = self.public_figures.search(t)
            if m:
                return m.group(0)
        return None

    def public_role(self, text: str) -> str | None:
        """A role only one living, public person holds ("the current president of france", "the pope")."""
        if self.public_roles is None:
            return None
        for t in self._texts(text):
            m = self.public_roles.search(t)
            if m:
                return m.group(0)
        return None

    def satirical(self, text: str) -> bool:
        """The prompt asks for a cartoon, caricature or satire rather than a realistic depiction."""
        return self.satire is not None and any(self.satire.search(t) for t in self._texts(text))

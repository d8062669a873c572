"""Prompts in other languages: which language a prompt is in, and an English gloss of it.

The term lists and the semantic classifier read English. For a prompt in a language the policy covers
(`languages.covered`), `Glossary.gloss` rewrites it word by word into English from a hand-written
dictionary per language (`safety/lang/<code>.txt`: "apuñal* = stabbing", "自杀 = suicide"), and the
English checks read that gloss. Words the dictionary does not hold stay as they are in Latin-script
languages (names, loanwords, URLs) and are dropped in the others (the English encoder cannot read them).

Which language: the script first (Hangul → ko, kana → ja, Han → zh, Arabic → ar, Cyrillic → ru); among
Latin-script languages, py3langid (a naive-Bayes byte n-gram model that ships inside the package)
restricted to English, the covered languages and the other common Latin-script languages. A prompt that
is confidently in a language the filter cannot read is "unsupported"; the policy file decides what
happens to it (`languages.unsupported: block | allow`).

Dictionary syntax, one entry per line ('#' starts a comment):

    apuñal* | acuchill* = stabbing     # '|' separates alternatives; a trailing '*' matches any ending
    por todas partes = everywhere      # phrases are matched before the words inside them (longest first)
    la | el = the

Keys are compared after the same folding every check uses (case, diacritics, compatibility forms). A key in
double quotes is matched as written, before the folding, where an accent or a capital is the whole difference:

    "bebé" | "bebés" = baby            # "bebe" (drinks) stays a verb
    "Grünen" = political party         # a key with a capital matches only with it ("die grünen Blätter" are green)

In zh, ja and ar a key matches anywhere in the text (no spaces between words, or attached articles
and prepositions); in ko a key matches at the start of a word (particles follow the stem), syllable by
syllable, and a key ending in an open syllable also matches it closed by ㄴ, ㄹ or ㅅ (죽이 -> 죽인, 담배 -> 담뱃불).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from safety.gloss_order import english_order, role_rewrites
from safety.normalize import _decode_token, _fold

LANG_DIR = Path(__file__).parent / "lang"
LATIN = ("es", "fr", "de", "pt", "it")
# Latin-script languages the detector may also answer, so that a Dutch or Turkish prompt is recognised
# as one the glossaries cannot read instead of being forced into the nearest covered language.
OTHER_LATIN = ("nl", "pl", "tr", "id", "vi", "sv", "cs", "ro", "hu", "fi", "da", "no", "ms", "tl", "sw", "ca", "hr", "sk", "et", "lt", "lv", "sl")
NO_SPACES = {"zh", "ja", "ar"}  # keys match anywhere
PREFIX = {"ko"}  # keys match at a word's start, any ending
COMPOUNDING = {"de"}  # an unknown word is read by its known parts
ENGLISH = "en"
@dataclass(frozen=True)
class Language:
    code: str  # "en", a covered code, or the detected code of an unsupported language
    supported: bool
    confidence: float = 1.0


def _script_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        o = ord(ch)
        if 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
            s = "hangul"
        elif 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9F:
            s = "kana"
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF:
            s = "han"
        elif 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF:
            s = "arabic"
        elif 0x0400 <= o <= 0x04FF:
            s = "cyrillic"
        elif o < 0x250 or 0x1E00 <= o <= 0x1EFF or 0xFF21 <= o <= 0xFF5A:
            s = "latin"
        else:
            s = unicodedata.name(ch, "other").split(" ")[0].lower()
        counts[s] = counts.get(s, 0) + 1
    return counts


class LanguageDetector:
    def __init__(self, covered: tuple[str, ...], min_confidence: float = 0.9):
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self.covered = set(covered)
        self.min_confidence = min_confidence
        self._latin = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self._latin.set_languages([ENGLISH, *LATIN, *OTHER_LATIN])
        self._cyrillic = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self._cyrillic.set_languages(["ru", "uk", "bg", "sr", "mk", "be", "kk", "mn"])
        self._arabic = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self._arabic.set_languages(["ar", "fa", "ur", "ps"])
        self._lock = threading.Lock()  # set_languages state is per instance; classify itself is read-only

    def _pick(self, ident, text: str, default: str) -> Language:
        ranked = ident.rank(text)
        best, p = ranked[0]
        if best == ENGLISH or best in self.covered:
            return Language(best, True, p)
        if p >= self.min_confidence:
            return Language(best, False, p)
        # Not sure it is another language: read it as the likeliest one we can read.
        for code, q in ranked:
            if code == ENGLISH or code in self.covered:
                return Language(code, True, q)
        return Language(default, default in self.covered, p)

    def detect(self, text: str) -> Language:
        counts = _script_counts(text)
        if not counts:
            return Language(ENGLISH, True)
        script = max(counts, key=counts.get)
        total = sum(counts.values())
        # Any kana means Japanese (kanji alone is read as Chinese); any Hangul means Korean.
        if counts.get("kana"):
            return Language("ja", "ja" in self.covered)
        if counts.get("hangul", 0) >= 0.3 * total:
            return Language("ko", "ko" in self.covered)
        if counts.get("han", 0) >= 0.3 * total:
            return Language("zh", "zh" in self.covered)
        if counts.get("arabic", 0) >= 0.3 * total:
            return self._pick(self._arabic, text, "ar")
        if counts.get("cyrillic", 0) >= 0.3 * total:
            return self._pick(self._cyrillic, text, "ru")
        if script != "latin":
            return Language(script, False)
        return self._pick(self._latin, text, ENGLISH)


# Snowball stemmers (pure Python, `snowballstemmer`) for the languages that inflect with endings: a word the
# dictionary does not hold as written is looked up by its stem, so one entry covers every inflection
# ("poignard" -> poignardé, poignardée, poignardant). zh and ja have no inflection to strip (keys match
# as substrings); ko keys match at a word's start (particles and endings follow the stem).
STEMMERS = {"es": "spanish", "fr": "french", "de": "german", "pt": "portuguese", "it": "italian",
            "ru": "russian", "ar": "arabic"}
# The folding every check uses maps Cyrillic lookalikes to Latin ("кровь" -> "kpobь"); the Russian
# stemmer needs the Cyrillic back in words that are Cyrillic at all.
_CYRILLIC_BACK = str.maketrans({"a": "а", "b": "в", "e": "е", "k": "к", "m": "м", "h": "н", "o": "о",
                                "p": "р", "c": "с", "t": "т", "y": "у", "x": "х"})
_WORD = re.compile(r"\w+")
_GLOSSED = re.compile(r"(\x01[^\x02]*\x02)")  # a span already in English, between the markers gloss() puts
# Arabic-Indic and Persian digits ("١٣ سنة"), which the folding leaves alone, read as the ages and numbers the
# English checks match.
_DIGITS = {c: str(c - base) for base in (0x0660, 0x06F0) for c in range(base, base + 10)}

# Letters spelled out to slip past a filter (j.u.i.f.s, الـ ي ه و د): three or more single letters joined by dots (or,
# in Arabic, spaces) are read as the word. Digits are left alone (a version 1.2.3 stays as it is).
_SPELLED_OUT = re.compile(r"(?<!\w)(?:[^\W\d_][.·*_-]){2,}[^\W\d_](?!\w)")
_SPELLED_OUT_AR = re.compile(r"(?:(?<!\w)الـ\s*)?(?<!\w)(?:[\u0621-\u064A] ){2,}[\u0621-\u064A](?!\w)")


def _join_spelled(text: str, lang: str) -> str:
    text = _SPELLED_OUT.sub(lambda m: re.sub(r"[.·*_-]", "", m.group(0)), text)
    if lang == "ar":
        text = _SPELLED_OUT_AR.sub(lambda m: re.sub(r"[\sـ]", "", m.group(0)), text)
    return text


def _to_simplified():
    """OpenCC's traditional -> simplified converter (its dictionaries ship in the opencc wheel), so that one glossary
    in simplified characters reads prompts from Taiwan and Hong Kong too (車禍 -> 车祸); simplified text passes as it is."""
    import opencc

    return opencc.OpenCC("t2s").convert


def _stemmer(lang: str):
    if lang not in STEMMERS:
        return None
    import snowballstemmer

    stemmer = snowballstemmer.stemmer(STEMMERS[lang])
    if lang == "ru":
        return lambda w: stemmer.stemWord(w.translate(_CYRILLIC_BACK)) if not w.isascii() else w
    return stemmer.stemWord


@dataclass(frozen=True)
class _Table:
    pattern: re.Pattern
    lookup: dict[str, str]  # folded key without '*' -> English
    keys: dict[str, str]  # every folded key -> English: for matches with an ending
    stem: object = None  # word -> stem, or None
    stems: dict | None = None  # stem of every one-word key -> English (first entry wins)
    written: re.Pattern | None = None  # the quoted keys, matched before the folding
    written_keys: dict | None = None  # quoted key (NFC) -> English


def _parse(path: Path) -> list[tuple[str, str]]:
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or "=" not in line:
            continue
        keys, english = line.split("=", 1)
        for key in keys.split("|"):
            key = key.strip()
            if key:
                entries.append((key, english.strip()))
    return entries


EXACT, STEM = 0, 1  # trie node marks (letters are str)


def _trie(node: dict) -> str:
    """A trie of keys as one regex (EXACT ends a key, STEM a key with any ending): longer keys are tried
    first, so the longest key wins, and a letter is compared once per trie level, not once per key."""
    branches = [(r"\s+" if ch == " " else re.escape(ch)) + _trie(child)
                for ch, child in node.items() if isinstance(ch, str)]
    if STEM in node:
        branches.append(r"\w*")
    elif EXACT in node and branches:
        branches.append("")
    if len(branches) == 1 and EXACT not in node:
        return branches[0]
    return f"(?:{'|'.join(branches)})" if branches else ""


def _written(entries: list[tuple[str, str]]) -> tuple[re.Pattern | None, dict]:
    """The quoted keys: NFC, any case if the key is lowercase, its capitals if it has any."""
    written = {}
    for key, english in entries:
        written.setdefault(unicodedata.normalize("NFC", key[1:-1]), english)
    if not written:
        return None, written
    alts = [k if k != k.lower() else f"(?i:{re.escape(k)})" for k in sorted(written, key=len, reverse=True)]
    return re.compile(rf"(?<!\w)(?:{'|'.join(alts)})(?!\w)"), written


def _adnominal(key: str) -> list[str]:
    """A Korean key ending in an open syllable, with the final consonants grammar adds to that syllable: a
    verb's past and future endings (죽이 -> 죽인, 죽일; 토하 -> 토한) and a noun's ㅅ before the second part of a
    compound (담배 -> 담뱃불, 바다 -> 바닷속). A match on whole syllables would otherwise miss them; other final
    consonants make other words (게이 is not 게임, 의사 not 의상)."""
    o = ord(key[-1]) - 0xAC00 if key else -1
    if not (0 <= o < 11172 and o % 28 == 0):
        return []
    return [key[:-1] + chr(ord(key[-1]) + final) for final in (4, 8, 19)]  # ㄴ, ㄹ, ㅅ


def _compile(lang: str, entries: list[tuple[str, str]]) -> _Table:
    lookup, keys, root = {}, {}, {}
    quoted = [(k, e) for k, e in entries if len(k) > 2 and k[0] == k[-1] == '"']
    entries = [(k, e) for k, e in entries if (k, e) not in quoted]
    if lang in PREFIX:  # after every written key, so a key written out wins over a derived one
        entries += [(k, e) for key, e in entries for k in _adnominal(_fold(key.rstrip("*")))]
    for key, english in entries:
        stem = key.endswith("*")
        folded = re.sub(r"\s+", " ", _fold(key.rstrip("*")))
        if not folded:
            continue
        if not stem:
            lookup.setdefault(folded, english)
        keys.setdefault(folded, english)  # a key listed twice keeps its first English
        node = root
        for ch in folded:
            node = node.setdefault(ch, {})
        node[STEM if (stem or lang in PREFIX) and lang not in NO_SPACES else EXACT] = True
    alternation = _trie(root) if root else r"(?!x)x"
    if lang in NO_SPACES:
        pattern = re.compile(alternation)
    else:
        pattern = re.compile(rf"(?<!\w){alternation}(?!\w)")
    stem = _stemmer(lang)
    stemmed = {}
    if stem is not None:
        for key, english in entries:
            folded = _fold(key.rstrip("*")).strip()
            # Short stems match too much ("mat" is matar and matorral, "mor" moros and morado); function
            # words are matched as written by the pattern anyway. Russian and Arabic stems of three
            # letters are still words (гол-, Arabic triliteral roots).
            if folded and " " not in folded and len(folded) >= 4:
                k = stem(folded)
                if len(k) >= (3 if lang in ("ru", "ar") else 4):
                    stemmed.setdefault(k, english)
    return _Table(pattern, lookup, keys, stem, stemmed, *_written(quoted))


# Russian names, read the way English spells them ("Алла Пугачёва" -> "alla pugacheva", "Зеленский" ->
# "zelensky"), so that public_figures.txt, which lists names in Latin letters, reads them without a
# glossary entry per name. Only the public-figure check reads this; the gloss drops unknown Cyrillic words.
_ROMAN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
})


def romanize(text: str, lang: str) -> str | None:
    """A Cyrillic prompt in Latin letters (names only), or None for other languages."""
    if lang != "ru":
        return None
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"(?<=\w)(?:ий|ый)\b", "y", text)  # Зеленский -> zelensky, Дмитрий -> dmitry
    text = re.sub(r"(?<=\w)ей\b", "ey", text)  # Сергей -> sergey
    return text.translate(_ROMAN)


class Glossary:
    """Word-by-word English glosses from safety/lang/<code>.txt."""

    def __init__(self, languages: tuple[str, ...], lang_dir: Path = LANG_DIR):
        self._roles = role_rewrites()
        self.tables: dict[str, _Table] = {}
        self._simplified = _to_simplified() if "zh" in languages else None
        for lang in languages:
            path = lang_dir / f"{lang}.txt"
            if path.exists():
                self.tables[lang] = _compile(lang, _parse(path))

    def _english_for(self, table: _Table, match: str) -> str:
        key = re.sub(r"\s+", " ", match)
        if key in table.lookup:
            return table.lookup[key]
        # A stem, or a Korean key, matched with an ending: the longest key the match starts with.
        for end in range(len(key), 0, -1):
            if key[:end] in table.keys:
                return table.keys[key[:end]]
        return ""

    @staticmethod
    def _written_english(table: _Table, match: str) -> str:
        return table.written_keys.get(match) or table.written_keys.get(match.lower(), "")

    def gloss(self, text: str, lang: str) -> str:
        table = self.tables.get(lang)
        if lang == "zh" and self._simplified is not None:
            text = self._simplified(text)
        text = _join_spelled(text, lang)
        if table is not None and table.written is not None:
            text = unicodedata.normalize("NFC", text)
            text = table.written.sub(lambda m: f" \x01{self._written_english(table, m.group(0))}\x02 ", text)
        folded = _fold(text).translate(_DIGITS)
        if table is None:
            return folded
        out = "".join(
            piece if piece.startswith("\x01")
            else table.pattern.sub(lambda m: f" \x01{self._english_for(table, m.group(0))}\x02 ", piece)
            for piece in _GLOSSED.split(folded)
        )
        kept = []
        for piece in _GLOSSED.split(out):
            if piece.startswith("\x01"):
                kept.append(piece[1:-1])
                continue
            for word in piece.split():
                english = self._by_stem(table, word)
                if english is None and lang in LATIN and (plain := _decode_token(word, "i")) != word:
                    english = self._known(table, plain)  # leetspeak: "n4ckte" is "nackte"
                if english is None and lang in COMPOUNDING:
                    english = self._by_parts(table, word)
                if english is not None:
                    kept.append(english)
                # What the dictionary did not translate: in Latin-script languages it stays (names,
                # loanwords, URLs); in the others it is unreadable to the English checks, so only words
                # wholly in ASCII stay (names in Latin script, URLs, ages), not a Cyrillic word
                # half-mapped to Latin by the homoglyph folding.
                elif lang in LATIN or word.isascii():
                    kept.append(word)
        out = re.sub(r"\s+", " ", " ".join(kept)).strip()
        return english_order(out, lang, self._roles)

    def is_word(self, word: str, lang: str) -> bool:
        """The glossary lists `word` as a word of `lang` ("messi", put, and "modi", ways, in Italian)."""
        table = self.tables.get(lang)
        return table is not None and _fold(word) in table.lookup

    @classmethod
    def _by_parts(cls, table: _Table, word: str) -> str | None:
        """A German compound no key matches: its longest known last part ("Rasierklinge" -> klinge), and
        its first part if that is known too ("Kinderporno" -> child porn)."""
        m = _WORD.search(word)
        core = m.group(0) if m else ""
        for i in range(3, len(core) - 3):
            head = cls._known(table, core[i:])
            if head is not None:
                first = core[:i]  # less a linking -s-, -n-, -en-
                modifier = next((p for p in (first, first[:-1], first[:-2]) if len(p) >= 3 and p in table.keys), None)
                english = f"{table.keys[modifier]} {head}" if modifier else head
                return word[: m.start()] + english + word[m.end():]
        return None

    @classmethod
    def _known(cls, table: _Table, word: str) -> str | None:
        return table.keys.get(word) or cls._by_stem(table, word)

    @staticmethod
    def _by_stem(table: _Table, word: str) -> str | None:
        if not table.stems:
            return None
        m = _WORD.search(word)
        if m is None or len(m.group(0)) < 4:
            return None
        core = m.group(0)
        if table.stem is not None and not (core.isascii() and core.isdigit()):
            english = table.stems.get(table.stem(core))
            if english is not None:
                return word[: m.start()] + english + word[m.end():] if len(core) < len(word) else english
        return None

"""Undo the usual obfuscations before any check looks at a prompt.

Handles: Unicode compatibility forms (fullwidth, math alphanumerics, ligatures), diacritics,
zero-width and soft-hyphen characters, Cyrillic/Greek homoglyphs, leetspeak inside words
("k1ll", "pr0n", "$ex"), and letters spelled out with separators ("k i l l", "n.s.f.w").

`normalize(text)` gives the canonical text every check reads; `variants(text)` adds the
readings of ambiguous leet characters ("1" as i or l) that only the term lists use.
"""

import re
import unicodedata

# Invisible characters people insert to break up words.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u180e"), None)

# Lowercase lookalikes that NFKC leaves alone (Cyrillic, Greek, a few Latin extensions).
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "һ": "h",
        "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ɡ": "g", "ɑ": "a", "ı": "i", "ʟ": "l", "ᴋ": "k",
        "α": "a", "β": "b", "γ": "y", "δ": "d", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u",
        "ν": "v", "ο": "o", "ρ": "p", "σ": "o", "ς": "c", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th",
    }
)

# Leet characters and what they stand for. "1" is ambiguous: i first, l as a variant.
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
         "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e", "£": "l"}
_LEET_CHARS = "".join(re.escape(c) for c in _LEET)
# A token made only of letters and leet characters: those are the candidates for decoding.
_TOKEN = re.compile(rf"[a-z{_LEET_CHARS}]+")
_WORDISH = re.compile(rf"^[a-z{_LEET_CHARS}]*[a-z][a-z{_LEET_CHARS}]*$")

# Three or more single letters separated by spaces/dots/dashes: "k i l l", "n.s.f.w", "p-o-r-n".
# The same separator throughout, so "a p-o-r-n" keeps its article.
_SPACED = re.compile(r"(?<![a-z0-9])[a-z0-9]([ .\-_*·•,/]+)(?:[a-z0-9]\1){1,}[a-z0-9](?![a-z0-9])")
# Numbers with units and model names ("50mm", "4k", "1080p", "mp3") are not leetspeak.
_UNIT = re.compile(r"^\d+(?:mm|cm|km|m|px|k|p|d|x|fps|kg|g|s|th|st|nd|rd|hz|mb|gb|in|ft|yo|am|pm)$|^[a-z]+\d+$")


_KANA_VOICING = "\u3099\u309a"


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
    text = text.translate(_HOMOGLYPHS)
    # Drop diacritics after homoglyphs so "ñ" -> "n" but Cyrillic is already mapped. NFKD also splits a
    # Hangul syllable into its letters (게임 -> ㄱㅔㅇㅣㅁ) and a voiced kana from its voicing mark (ド -> ト + ゛),
    # which are not diacritics: those marks stay and NFC puts the letters back together, so a Korean word is
    # compared syllable by syllable (게이 is not the start of 게임) and ヘッド (head) is not ベット (a bet).
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c) or c in _KANA_VOICING)
    return unicodedata.normalize("NFC", text)


def _decode_token(token: str, one: str, strict: bool = True) -> str:
    # Only tokens that mix letters and leet characters, with at least two real letters,
    # are decoded, so "4k", "1990s", "$100" or "b52" stay as they are.
    letters = sum(c.isalpha() for c in token)
    if letters < 2 or letters == len(token) or not _WORDISH.match(token):
        return token
    if strict and _UNIT.match(token):
        return token
    core = token.rstrip("!")  # "kill!" keeps its exclamation mark as punctuation
    tail = token[len(core):]
    out = []
    for i, c in enumerate(core):
        if c.isalpha():
            out.append(c)
        elif c == "1":
            out.append(one)
        else:
            out.append(_LEET[c])
    return "".join(out) + tail.replace("!", " ")


def _deleet(text: str, one: str = "i", strict: bool = True) -> str:
    return _TOKEN.sub(lambda m: _decode_token(m.group(0), one, strict), text)


def _join(m: re.Match) -> str:
    run = m.group(0)
    joined = re.sub(r"[ .\-_*·•,/]+", "", run)
    # "a s e x scene": the leading article is a word of its own, not the first letter.
    if m.group(1).isspace() and joined[0] in "ai" and len(joined) >= 4:
        return joined[0] + " " + joined[1:]
    return joined


def _unspace(text: str) -> str:
    return _SPACED.sub(_join, text)


def normalize(text: str) -> str:
    """Canonical lowercase text with obfuscations undone (what every prompt check reads)."""
    text = _fold(text)
    text = _unspace(text)
    text = _deleet(text)
    return re.sub(r"\s+", " ", text).strip()


def variants(text: str) -> list[str]:
    """`normalize(text)` plus alternative readings for term matching."""
    folded = _unspace(_fold(text))
    out = [normalize(text)]
    for one, strict in (("i", False), ("l", False)):
        alt = re.sub(r"\s+", " ", _deleet(folded, one=one, strict=strict)).strip()
        if alt not in out:
            out.append(alt)
    return out

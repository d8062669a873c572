import pytest

from safety.normalize import normalize, variants


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("K1LL the j3ws", "kill the jews"),  # leetspeak inside words
        ("pr0n", "pron"),
        ("$ex tape", "sex tape"),
        ("a p-o-r-n scene", "a porn scene"),  # letters spelled out, article kept
        ("a s e x scene", "a sex scene"),
        ("n.s.f.w art", "nsfw art"),
        ("ｎｕｄｅ woman", "nude woman"),  # fullwidth
        ("𝐧𝐮𝐝𝐞 woman", "nude woman"),  # mathematical bold
        ("nu\u200bde", "nude"),  # zero-width space
        ("nuԁе", "nude"),  # Cyrillic/Armenian lookalikes
        ("nüde", "nude"),  # diacritics
    ],
)
def test_obfuscations_are_undone(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "text",
    ["4k wallpaper of a 1990s car", "a b-52 bomber", "a 3d model, 50mm lens, 1080p", "$100 bill"],
)
def test_numbers_and_units_are_not_leetspeak(text):
    assert normalize(text) == text.lower()


def test_ambiguous_one_gets_both_readings():
    v = variants("ki11 him")
    assert "kill him" in v and v[0] != "kill him"

import pytest

from safety.terms import TermMatcher


@pytest.fixture(scope="module")
def tm():
    return TermMatcher()


def cats(tm, text):
    return {h.category for h in tm.find(text)}


@pytest.mark.parametrize(
    "text",
    [
        "a therapist's office with a couch",  # contains "rapist"
        "the essex countryside",  # contains "sex"
        "a scunthorpe football scarf",
        "a cockpit of a plane",
        "flame retardant fabric",
        "a killer whale",
        "a naked mole rat eating a carrot",
        "a swimmer doing the breast stroke",
        "a bloody mary cocktail",
        "a murder of crows on a wire",
        "a shot of espresso",
        "a vintage car with suicide doors",
        "a horror poster, no gore",
        # A letter merely doubled, or "-es" after a word English pluralises with "-s", is another word.
        "puss in boots with a sword",  # pus
        "a comic book cover with two heroines",  # heroin
        "a bag of goodies for a party",  # go die
        "a pedometer on a runner's wrist",  # pedo
        "c++ code on a screen, cpp files",  # cp
    ],
)
def test_benign_trigger_words_do_not_match(tm, text):
    assert tm.find(text) == []


@pytest.mark.parametrize(
    "text, category",
    [
        ("a nude woman", "sexual"),
        ("a NUUUDE woman", "sexual"),
        ("i will kiiill him", "violence"),
        ("heroins and pills on a table", "illegal"),
        ("a n u d e woman", "sexual"),
        ("a p0rn scene", "sexual"),
        ("a man beheading a prisoner", "violence"),
        ("a teenager cutting myself", "self-harm"),
        ("k1ll all j3ws", "hate"),
        ("lines of cocaine on a mirror", "illegal"),
        ("a fake passport with my photo", "deception"),
        ("a poster saying vaccines cause autism", "health-misinformation"),
        ("buy now at www.cheap-pills.biz", "spam"),
        ("spam spam spam spam spam spam spam", "spam"),
        ("a naked mole rat next to a naked woman", "sexual"),  # an allow phrase does not whitelist the prompt
    ],
)
def test_terms_match_with_obfuscation(tm, text, category):
    assert category in cats(tm, text)


def test_minor_detection(tm):
    assert tm.mentions_minor("a 14 year old girl")
    assert tm.mentions_minor("a schoolgirl")
    assert not tm.mentions_minor("a 30 year old woman")
    assert not tm.mentions_minor("a woman on a beach")


def test_public_figures(tm):
    assert tm.public_figure("a photo of Joe Biden eating ice cream") == "joe biden"
    assert tm.public_figure("elon  musk on mars") is not None
    assert tm.public_figure("the washington monument") is None
    assert tm.public_figure("a drake swimming on a pond") is None
    assert tm.public_figure("a king charles spaniel") is None


def test_extra_terms_from_policy():
    tm = TermMatcher(extra={"illegal": ["kratom"]})
    assert "illegal" in {h.category for h in tm.find("a bag of kratom")}

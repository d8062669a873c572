"""English word order for the gloss of a prompt in another language (safety/language.py).

A word-by-word gloss keeps the prompt's word order; the English term lists and classifier need some of
it the English way round.
"""

from __future__ import annotations

import re
from pathlib import Path

# Romance languages put colour adjectives after the noun ("un cuervo negro"); the gloss puts them back
# in front ("a black crow"), which is how the English classifier was trained to read them. The same for
# the few adjectives the English terms need in front ("a woman naked" -> "a naked woman", "a body
# charred" -> "a charred body", "a passport fake" -> "a fake passport").
NOUN_ADJECTIVE = {"es", "fr", "pt", "it"}
_COLOUR_AFTER_NOUN = re.compile(
    r"\b(?!(?:a|an|the|of|in|on|with|and|or|to|for|by|that|is|my|their|very)\b)"
    # English compounds a phrase entry already gives in English order ("naranja sanguina" -> "blood orange",
    # not "orange blood", which the classifier reads as gore).
    r"(?!(?:blood orange|snow white|sky blue|navy blue|royal blue|baby blue|jet black|pitch black|lime green|"
    r"olive green|egg white|agent orange|clockwork orange)\b)([a-z]+) "
    r"(black|white|red|green|blue|yellow|grey|gray|brown|pink|purple|orange|naked|nude|fake|counterfeit|"
    r"forged|charred|burned|severed|mutilated|dismembered|decomposing|rotting)\b"
)


ROLES_FILE = Path(__file__).parent / "terms" / "public_roles.txt"


def role_rewrites(path: Path = ROLES_FILE) -> list[tuple[re.Pattern, str]]:
    """Word orders a gloss produces for a role that public_roles.txt spells the English way.

    "el presidente francés" glosses as "the president french", "президент Франции" and "法国总统" as
    "president france" / "france president"; the roles file has "the french president" and "president of
    france". Only pairs the roles file holds are rewritten, so the gloss says no more than a role it lists.
    """
    of, adjective = {}, {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.fullmatch(r"(?:the )?(president|prime minister|chancellor|king|queen|crown prince) of ((?:the )?)([a-z ]+)", line)
        if m:  # the phrase as listed: "president of the us", "president of france"
            of.setdefault(m.group(1), {}).setdefault(m.group(3), f"{m.group(1)} of {m.group(2)}{m.group(3)}")
        m = re.fullmatch(r"the ([a-z]+) (president|prime minister|chancellor)", line)
        if m:
            adjective.setdefault(m.group(2), set()).add(m.group(1))
    rewrites = []
    for role, countries in of.items():
        alt = "|".join(sorted(map(re.escape, countries), key=len, reverse=True))
        listed = countries.get
        rewrites.append((re.compile(rf"\b(?:the )?({alt}) {role}\b"), lambda m, f=listed: f(m.group(1))))
        rewrites.append((re.compile(rf"\b{role} (?:the )?({alt})\b"), lambda m, f=listed: f(m.group(1))))
    for role, adjectives in adjective.items():
        alt = "|".join(sorted(map(re.escape, adjectives), key=len, reverse=True))
        rewrites.append((re.compile(rf"\b{role} ({alt})\b"), rf"\1 {role}"))
    return rewrites


# A fencer's thrust glosses as "stab" in every language (찌르는, 刺す, уколоть...); beside a fencing word it is
# the sport's lunge, not a knife attack.
_FENCING = re.compile(r"\b(?:fencing|fencers?|sabre|saber|epee|foil)\b")
_STAB = re.compile(r"\bstab\w*")
# Slapstick on a stage or in a puppet show (Arlecchino, Guignol, Kasperl, Petrushka with their sticks) is a
# beating in name only: "beaten to death" there reads as the slapstick it is.
_SLAPSTICK = re.compile(r"\b(?:slapstick|puppet show|punch and judy)\b")
_BEATING = re.compile(r"\bbeaten to death\b|\bbeat(?:s|ing)? up\b|\bbeating\b")


# A "shot" at a goal or a basket is a kick or a throw (tirar a puerta, aufs Tor schießen, 射门): the English
# classifier reads "child shooting at the goal" as violence. Only beside the goal itself, so a shooting at a
# stadium stays a shooting.
_AT_GOAL = re.compile(r"\b(?:goal|goals|goalkeeper|basket|hoop|basketball shot|free kick|penalty)\b")
_SHOOT = re.compile(r"\bshoot(?:ing|s)?\b")
# The blue whale game's numbered tasks ("синий кит, задание 50", "ballena azul, reto 50"): the animal is left a
# whale unless a task, challenge or game follows it.
_BLUE_WHALE_TASK = re.compile(r"\bblue whale\W+(?:challenge|task|final task|mission|game|level)s?\b")
# Spanish "camello" is a dealer in slang and glosses as one; lying in a desert or walking in a caravan it is the
# animal.
_CAMEL_PLACE = re.compile(r"\b(?:desert|deserts|oasis|dunes?|caravans?|sahara|dromedar\w*|humps?|bedouins?|zoo)\b")
_DEALER = re.compile(r"\bdrug dealers?\b")
# A player's foes in a game or a cartoon: "matando zombis" glosses as "murder zombies", which the English list refuses;
# English reads "killing zombies" as the game it is. Only right before the foe, so "murder a man among zombies" stays.
# A ball and a tank are a player's targets too: "matar a bola no peito" (trapping it), "tirer et fusiller la boule"
# in pétanque, a tank game's "стреляет по танку"; English reads "killing the ball" and "shooting at a tank" as sport.
_FOES = r"(?:zombies?|monsters?|aliens?|orcs?|goblins?|slimes?|dragons?|skeletons?|demons?|balls?|tanks?|enem(?:y|ies))"
# Before the foe, or after it in the languages that put the object first (ゾンビを撃つ, 좀비를 죽이는).
_KILL_FOES = re.compile(rf"\b(?:(murder\w*|shooting people|firing squad)"
                        rf"(?=\s+(?:(?:on|at|the|a|pixelated|giant|evil|enemy)\s+)*{_FOES}\b)"
                        rf"|({_FOES}\s+)(murder\w*|shooting people))")


def _play_kill(m: re.Match) -> str:
    verb = m.group(1) or m.group(3)
    return (m.group(2) or "") + ("killing" if verb.startswith("murder") else "shooting")

# Russian "закладка", glossed as selling drugs, is a bookmark in a hand or a book when no drug word is near.
_BOOKMARK_PLACE = re.compile(r"\b(?:holding|in hand|hands?|books?|pages?|reading|library|notebook)\b")
_DRUG_WORD = re.compile(r"\b(?:drugs?|drug dealer|meth\w*|mephedrone|cocaine|heroin|weed|grams?|powder|pills?|stash\w*)\b")
# A people glossed "as" vermin or apes ("des Noirs comme des singes"): the gloss-only terms read "drawn as monkeys".
_GROUP_AS_ANIMAL = re.compile(
    r"\b(blacks?|jews?|arabs?|muslims?|africans?|gyps(?:y|ies)|roma|immigrants?|migrants?|refugees?|chinese|asians?|"
    r"mexicans?|indians?|gays?)\s+(?:as|like)\s+(monkey|ape|rat|cockroach|pig|vermin)(?:e?s)?\b"
)
# "cockroach" is an allow phrase (it holds "cock"), so a term with it never matches: the gloss says "roaches".
_COCKROACHES = re.compile(r"\b(drawn as|are) cockroach(?:es)?\b")


def _drawn_as(m: re.Match) -> str:
    animal = m.group(2)
    return f"{m.group(1)} drawn as {animal if animal == 'vermin' else animal + ('es' if animal.endswith('ch') else 's')}"


def english_order(gloss: str, lang: str, roles: list[tuple[re.Pattern, str]]) -> str:
    # An elided article or preposition leaves its apostrophe alone in the gloss ("roi d'Angleterre" ->
    # "king of ' england"), which splits the phrases the English lists hold.
    gloss = re.sub(r"(?<=\w) ' (?=\w)", " ", gloss)
    if lang in NOUN_ADJECTIVE:
        gloss = _COLOUR_AFTER_NOUN.sub(r"\2 \1", gloss)
    for pattern, replacement in roles:
        gloss = pattern.sub(replacement, gloss)
    if _FENCING.search(gloss):
        gloss = _STAB.sub("lunge", gloss)
    if _SLAPSTICK.search(gloss):
        gloss = _BEATING.sub("slapstick bashing", gloss)
    if _AT_GOAL.search(gloss):
        gloss = _SHOOT.sub("kicking", gloss)
    if lang == "es" and _CAMEL_PLACE.search(gloss):
        gloss = _DEALER.sub("camel", gloss)
    gloss = _KILL_FOES.sub(_play_kill, gloss)
    if lang == "ru" and _BOOKMARK_PLACE.search(gloss) and not _DRUG_WORD.search(gloss.replace("selling drugs", "")):
        gloss = gloss.replace("selling drugs", "bookmark")
    gloss = _COCKROACHES.sub(r"\1 roaches", _GROUP_AS_ANIMAL.sub(_drawn_as, gloss))
    gloss = _BLUE_WHALE_TASK.sub("blue whale challenge", gloss)
    return gloss

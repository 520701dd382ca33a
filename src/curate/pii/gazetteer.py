"""Place names from data that ships with a dependency: the IANA time-zone database.

``tzdata`` (a pandas dependency) holds ISO 3166 country names (``iso3166.tab``) and the
cities that name time zones (``zone.tab``), kept current by IANA. The small spaCy model
misses many of them, above all in lower case ("i moved to bahrain"); these lists find them.
"""

from __future__ import annotations

import functools
import importlib.resources
import itertools
import re

#: Country names that are also common words or given names: found only with a capital,
#: or (the first group) not at all, since as a name they are more often a person's.
_CAPITALISED_ONLY = frozenset({"china", "chile", "turkey", "jersey", "georgia", "guinea", "niger"})
_NEVER = frozenset({"chad", "jordan", "man", "israel"})
#: Everyday names the ISO list spells otherwise.
_ALIASES = (
    "United Kingdom",
    "Great Britain",
    "England",
    "Scotland",
    "Wales",
    "Northern Ireland",
    "United States of America",
    "USA",
    "Macedonia",
    "Czechia",
    "Ivory Coast",
    "Cote d'Ivoire",
    "South Korea",
    "North Korea",
    "Burma",
    "Swaziland",
    "Russian Federation",
    "Holland",
    "Vatican",
    "Timor-Leste",
    "Cabo Verde",
    "Republic of the Congo",
    "Democratic Republic of the Congo",
    "Bosnia",
    "Herzegovina",
    "Trinidad",
    "Tobago",
    "Antigua",
    "Barbuda",
    "Saint Lucia",
    "Saint Kitts and Nevis",
    "Saint Vincent and the Grenadines",
    "Sao Tome and Principe",
    "Turks and Caicos Islands",
    "Samoa",
    "American Samoa",
    "Gambia",
    "The Gambia",
    "Bahamas",
    "The Bahamas",
)
#: Time-zone cities that are more often a person's name or a common word.
_NOT_CITIES = frozenset(
    {
        "Adelaide", "Beulah", "Casey", "Center", "Chatham", "Creston", "Currie", "Darwin",
        "Davis", "Dawson", "Easter", "Johnston", "Knox", "Lindeman", "Marengo", "Mawson",
        "Midway", "Palmer", "Phoenix", "Regina", "Resolute", "Sydney", "Troll", "Victoria",
        "Wake", "Winamac", "Vostok", "Macquarie", "Eucla", "Thule",
    }
)  # fmt: skip


def _table(name: str) -> list[list[str]]:
    text = importlib.resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@functools.lru_cache(maxsize=1)
def countries() -> tuple[frozenset[str], frozenset[str]]:
    """Country names, lower-cased: those found in any case, and those only with a capital."""
    names: set[str] = set(_ALIASES)
    for row in _table("iso3166.tab"):
        name = row[1].replace("’", "'")
        plain = re.sub(r"\s*\(.*?\)", "", name).strip()
        names.update({plain, plain.replace("&", "and")})
        names.update(re.findall(r"\((.*?)\)", name))
        if plain.startswith("St "):
            names.add("Saint " + plain[3:].replace("&", "and"))
            names.add("St. " + plain[3:].replace("&", "and"))
    lowered = {n.lower() for n in names if len(n) > 3 and not n.isupper()} | {"usa", "uk"}
    lowered -= _NEVER | {"north", "south", "western", "dutch", "french", "uk", "us"}
    return frozenset(lowered - _CAPITALISED_ONLY), frozenset(lowered & _CAPITALISED_ONLY)


@functools.lru_cache(maxsize=1)
def cities() -> frozenset[str]:
    """Cities that name a time zone ("Buenos Aires", "Reykjavik"), as written."""
    found = set()
    for row in _table("zone.tab"):
        city = row[2].rsplit("/", 1)[-1].replace("_", " ")
        if city not in _NOT_CITIES and len(city) > 3:
            found.add(city)
    return frozenset(found)


_WORD = re.compile(r"[^\W\d_][\w'’-]*\.?")
#: The most words a place name here has ("Saint Vincent and the Grenadines").
_MAX_WORDS = 5


@functools.lru_cache(maxsize=1)
def _first_words() -> frozenset[str]:
    """The first word of every place name, lower-cased: most words start none."""
    anycase, capitalised = countries()
    names = anycase | capitalised | {c.lower() for c in cities()}
    return frozenset(name.split()[0] for name in names)


def is_place(value: str) -> bool:
    """Whether ``value``, as written, names a country or a time-zone city."""
    anycase, capitalised = countries()
    key = " ".join(value.split()).lower()
    if key in anycase:
        return True
    if not value[:1].isupper():
        return False
    return key in capitalised or " ".join(value.split()) in cities()


def find_places(text: str) -> list[tuple[int, int]]:
    """Character spans of country and city names in ``text``, longest first at each word."""
    words = list(_WORD.finditer(text))
    found: list[tuple[int, int]] = []
    starts = _first_words()
    i = 0
    while i < len(words):
        if words[i].group().rstrip(".").lower() not in starts:
            i += 1
            continue
        for n in range(min(_MAX_WORDS, len(words) - i), 0, -1):
            group = words[i : i + n]
            if any(not text[a.end() : b.start()].isspace() for a, b in itertools.pairwise(group)):
                continue
            start, end = group[0].start(), group[-1].end()
            value = text[start:end].rstrip(".")
            if is_place(value):
                found.append((start, start + len(value)))
                i += n - 1
                break
        i += 1
    return found


#: Words that put a place after them: where someone lives, comes from or is ("lives in",
#: "grew up in", "I am in", "moved here from", "arrived at", "home town", "Where:").
_PLACE_CUE = (
    r"(?:\b(?:(?:lives?|lived|living|grew\s+up|born|based|staying|stays?|moved(?:\s+here)?|"
    r"relocated|resides?|residing|travell?(?:ed|ing)|flew|arrived|arriving|arrives|"
    r"originally|i\s+am|i'm|we\s+are|we're)\s+(?:(?:back\s+)?(?:in|at|to|from|near)\s+)"
    r"|(?:home|native)\s+(?:city|town|village|country)\s+|(?:visiting|visited)\s+"
    r"|(?:where|city|town|location|hometown|birthplace|place\s+of\s+birth)\s*:\s*))"
)
_PLACE_WORD = r"(?:[^\W\d_][\w'’.-]*)"
_CUED_PLACE = re.compile(
    rf"{_PLACE_CUE}(?P<place>(?-i:[A-ZÀ-ÖØ-ÞΑ-ΩА-Я]){_PLACE_WORD}"
    rf"(?:[ \t]+(?:(?:de|del|la|le|di|da|nad|pod|u|am|an|im|sur|en|y)[ \t]+)?"
    rf"(?-i:[A-ZÀ-ÖØ-ÞΑ-ΩА-Я]){_PLACE_WORD}){{0,3}})",
    re.IGNORECASE,
)


#: Words that make what they end a venue in a place ("Limont Country Club"): the place
#: is the words before them.
_VENUE_WORDS = frozenset(
    re.split(
        r"\s+",
        "club hotel inn center centre hall park stadium arena restaurant cafe café bar pub "
        "church school college university hospital airport station mall market theatre theater "
        "museum library gym office country golf",
    )
)


def find_cued_places(text: str) -> list[tuple[int, int]]:
    """Capitalised words where the words before say a place follows ("I am in FINSPÅNG"),
    without a venue named after the place or the full stop after it."""
    found = []
    for m in _CUED_PLACE.finditer(text):
        words = list(re.finditer(r"\S+", m.group("place")))
        keep = len(words)
        while keep > 1 and words[keep - 1].group().rstrip(".").lower() in _VENUE_WORDS:
            keep -= 1
        end = m.start("place") + words[keep - 1].end()
        if text[end - 1] == "." and text[end - 4 : end - 1].isalpha():  # not "D.C."
            end -= 1
        found.append((m.start("place"), end))
    return found

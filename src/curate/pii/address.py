"""Street addresses in free text, from the house number to the country.

An address found by its street line, one of:

- a house number, the street's name and a street type ("12 Baker Street", "4589 40th St",
  "31 Vesturgata 66", "19 pierre delannoyplaats"): the type is a word (USPS suffixes and
  their like) or the end of a compound (German, Dutch and Nordic ``-straße``, ``-weg``,
  ``-gata``, ``-vej``, ``-katu``...);
- a street type that comes first with a number ("Rua Katumi Kida 435", "11 via Mameli 149");
- a house number, a name and a second number, followed by a unit, a postcode or a country
  ("69 Roheline 43, Apt. 305", "51 Tylova 42\nPraha 11000");
- a street type first after a house number, as in French ("40 rue Victor Hugo");
- a post-office or military box ("P.O. Box 108", "Unit 4502 Box 4881", "Postfach 12").

Postal codes after their cue, streets named without a number and intersections come from
:mod:`curate.pii.address_cues`.

It then takes in what follows on the same or the next lines while it looks like an address:
a unit, a postal code, a region code, a country or city name, or a short line of names. It
stops at the first thing that does not (a stop word, a sentence), so "... Zoetermeer\\nLaos
in case of an issue" ends after "Laos".
"""

from __future__ import annotations

import functools
import re

from curate.pii.address_cues import corners, named_streets, postcodes
from curate.pii.gazetteer import find_places

#: Street types written after the name: the USPS suffixes (Publication 28) and their
#: European kin.
_STREET_WORD_LIST = """
alley allee aly anex annex arcade arc avenue ave av bayou bayoo beach bch bend bnd bluffs?
blf bottom btm boulevard blvd branch br bridge brg brooks? brk burgs? bypass byp camp canyon
cyn cape cpe causeway cswy centers? centre ctr circles? cir circus cliffs? clf club clb
close commons? cmn corners? course crse courts? ct coves? creek crk crescent cres crest crst
crossing xing crossroads? curve curv dale dam divide drives? dr estates? esplanade
expressway expy extensions? falls? fall ferry fields? fld flats? flt fords? frd forest frst
forges? frg forks? frk fort freeway fwy gardens? gdns gateway gtwy glens? gln greens? grn
groves? grv harbou?rs? hbr haven hvn heights hts highway hwy hills? hollow holw inlet
islands? isle junctions? jct keys? knolls? knl lakes? lk land landing lndg lane ln lights?
lgt loaf locks? lck lodge ldg loop mall manors? mnr meadows? mdw mews mills? mission msn
motorway mtwy mount mt mountains? mtn neck nck orchard orch oval overpass opas parade parks?
parkways? pkwy pass passage psge path pike pines? pne place pl plains? pln plaza plz points?
pt ports? prt prairie promenade quay radial radl ramp ranch rnch rapids? rpd rest rst rise
ridges? rdg river riv roads? rd route rte row rue run shoals? shl shores? shr skyway skwy
springs? spg spurs? squares? sq station stravenue stra stream strm streets? st summit smt
terrace ter throughway trwy trace trce track trak trafficway trfy trail trl trailer trlr
tunnel tunl turnpike tpke underpass upas unions? valleys? vly viaduct via views? vw
villages? vlg ville vista walks? walk wall way ways wells? wl wharf strasse straße str weg
straat laan plein gracht kade dreef gasse platz gata gatan vägen väg veien vei vej gade katu
tie utca út útja ulica körút tér rakpart fasor sétány vegur tee tänav
"""
_STREET_WORDS = "|".join(_STREET_WORD_LIST.split())
#: Abbreviated types that are also words of their own ("u." for the Hungarian "utca", "u" for
#: "you"): only between a capitalised name and a house number.
_ABBREVIATED_TYPES = r"(?P<abbr>(?-i:u)\.)"
#: Street types written at the end of a compound word ("Michaelkirchstr.", "Bruggenweg").
_COMPOUND_ENDINGS = (
    "strasse|straße|str|weg|straat|laan|plein|gracht|kade|dreef|gasse|allee|platz|ring|damm|"
    "ufer|gata|gatan|gaten|vägen|väg|veien|vegen|vei|vej|vegur|gade|katu|tie|polku|kuja|utca|út|"
    "plaats|steeg|singel|bakken|stien|torget|gränd|tänav|puiestee"
)
#: Street types written first (Romance and Slavic languages).
_LEADING_TYPES = (
    "rua|avenida|av|calle|c/|carrer|carretera|ctra|camino|camiño|paseo|passeig|plaza|praça|"
    "travessa|largo|via|viale|vía|piazza|corso|strada|rue|chemin|allée|quai|ulica|ul|aleja|"
    "al|plac|bulevar|bulevardi|avenue|boulevard|place|rúa|cours|impasse|λεωφόρος|οδός|οδος"
)
#: Street types written first that a house number precedes, with no number after the name
#: ("40 rue Victor Hugo", "12 Avenue des Lilas").
_TYPES_AFTER_NUMBER = (
    "rue|avenue|av|boulevard|bd|place|chemin|allée|quai|cours|impasse|route|via|viale|piazza|"
    "corso|calle|avenida|rua|rúa|carrer|paseo|praça"
)
_UNITS = r"(?:apt|apartment|suite|ste|unit|flat|fl|floor|room|rm|bldg|building|lot|no)"

_NUM = r"\d{1,5}[A-Za-z]?"
_WORD = r"(?:[^\W\d_][\w'’.-]*|\d{1,4}(?:st|nd|rd|th)\b)"
_GAP = r"[ \t]+"
_UNIT = rf"(?:{_UNITS}\.?[ \t]*#?[ \t]*[A-Za-z]?\d+[A-Za-z]?|#[ \t]*\d+[A-Za-z]?)"
_BOX = (
    r"(?:p\.?[ \t]?o\.?[ \t]?box|post[ \t]office[ \t]box|psc|unit|box|postfach|apartado|"
    r"casilla|caixa[ \t]postal)[ \t]*\d+(?:[ \t]+box[ \t]+\d+)?"
)

#: Between parts of an address: commas, line breaks (with any quoting marks that start a
#: line, "> " or "- "), or blanks.
_NEXT = r"[ \t]*(?:[,\n][ \t]*(?:[>?*•|-]+[ \t]*)?)+|[ \t]+"
#: A street line; ``name`` groups hold words that must not be English stop words.
_STREET_LINES = (
    # 12 Baker Street | 01 4589 40th St | 19 pierre delannoyplaats 211
    rf"(?P<n1>{_NUM}(?:{_GAP}{_NUM})?){_GAP}(?P<name1>(?:{_WORD}{_GAP}){{1,4}}?)"
    rf"(?:(?:{_STREET_WORDS})\b\.?|{_WORD}(?:{_COMPOUND_ENDINGS})\b\.?)(?:{_GAP}{_NUM}\b)?",
    # Lille Vibyvej 8 | Michaelkirchstr. 15 | 61 Wiesenstrasse 31
    rf"(?:{_NUM}{_GAP})?(?P<name2>(?:[^\W\d_][\w'’.-]*{_GAP}){{0,2}}){_WORD}"
    rf"(?:{_COMPOUND_ENDINGS})\b\.?{_GAP}{_NUM}\b",
    # Rua Katumi Kida 435 | 11 via goffredo mameli 149
    rf"(?:{_NUM}{_GAP}){{0,2}}\b(?:{_LEADING_TYPES})\.?{_GAP}(?P<name3>(?:{_WORD}{_GAP}){{1,5}}?){_NUM}\b",
    # 40 rue Victor Hugo | 02 53 place Stanislas: the name's words are counted in code
    rf"{_NUM}(?:{_GAP}{_NUM})?{_GAP}(?:{_TYPES_AFTER_NUMBER})\.?{_GAP}"
    rf"(?P<name7>{_WORD}(?:{_GAP}{_WORD}){{0,5}})",
    # 45 Kolmar Vesti, Suite 12: a house number and a name, a unit right after
    rf"{_NUM}(?:{_GAP}{_NUM})?{_GAP}(?P<name6>(?:{_WORD}{_GAP}){{0,3}}{_WORD})(?={_NEXT}{_UNIT})",
    # Freistädter Strasse 61 | Oak Lane 4 | 76 Piroska u. 97: the street type before the number
    rf"(?:{_NUM}{_GAP})?(?P<name5>(?:{_WORD}{_GAP}){{1,3}}?)(?:(?:{_STREET_WORDS})\.?|{_ABBREVIATED_TYPES})"
    rf"{_GAP}{_NUM}\b",
    # US military mail: a ship or unit line, then APO/FPO/DPO and a region code
    rf"(?:(?:USNS|USNV|USS|USCGC)[ \t]+{_WORD}[ \t]*\n[ \t]*)?[AFD]PO[ \t]+A[AEP][ \t]+\d{{5}}",
    rf"(?:{_NUM}{_GAP})?{_BOX}",
    # 69 Roheline 43, only when a unit, a postcode or a country follows
    rf"{_NUM}{_GAP}(?P<name4>(?:{_WORD}{_GAP}){{1,4}}?){_NUM}\b",
)
_SEPARATOR = re.compile(_NEXT)
_POSTCODE = re.compile(
    r"(?:\d{4,6}(?:-\d{3,4})?|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d)\b"
)
_REGION = re.compile(r"(?:[A-Z]{2,3}|nan)\b")
#: Words that follow an address block without being part of it.
_CLOSINGS = frozenset(
    [
        "thanks",
        "thank",
        "regards",
        "best",
        "cheers",
        "sincerely",
        "please",
        "call",
        "email",
        "phone",
        "tel",
        "fax",
        "mobile",
        "office",
        "attn",
    ]
)
_WORDS = re.compile(rf"{_WORD}(?:[ \t]+{_WORD}){{0,3}}")
_CONNECTORS = frozenset(
    [
        "de",
        "del",
        "da",
        "das",
        "do",
        "dos",
        "di",
        "du",
        "la",
        "le",
        "les",
        "van",
        "der",
        "den",
        "des",
        "della",
        "degli",
        "al",
        "el",
        "von",
        "am",
        "an",
        "im",
        "nad",
        "pod",
        "u",
        "y",
        "i",
        "e",
        "of",
        "the",
        "and",
    ]
)


#: Particles inside a street's name that are English stop words elsewhere ("Rúa do Paseo").
_PARTICLES = frozenset(["do", "da", "de", "di", "du", "la", "le", "des", "dos", "das", "del"])

#: Words right before a bare "number name number" that say an address follows.
_ADDRESS_CUE = re.compile(
    r"\b(?:address(?:\s+is)?|lives?\s+at|living\s+at|located\s+at|resides?\s+at|"
    r"deliver(?:ed)?\s+to|ship(?:ped)?\s+to)\s*:?\s*$",
    re.IGNORECASE,
)
#: A unit written before the street line ("Apt. 434 40 Rue de la Sarthe").
_UNIT_BEFORE = re.compile(rf"(?<![\w'’]){_UNIT}[ \t]*,?[ \t]*$", re.IGNORECASE)
#: A unit's word right before the numbers a street line took ("Apt. | 12 7 Rue ...").
_UNIT_WORD_BEFORE = re.compile(rf"(?<![\w'’]){_UNITS}\.?[ \t]*#?[ \t]*$", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _street() -> re.Pattern[str]:
    lines = "|".join(f"(?:{p})" for p in _STREET_LINES)
    return re.compile(rf"(?<![\w'’-])(?:{lines})", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _unit() -> re.Pattern[str]:
    return re.compile(_UNIT, re.IGNORECASE)


def find_addresses(text: str, *, stop_words: frozenset[str]) -> list[tuple[int, int]]:
    """Character spans of street addresses in ``text``: street lines and what follows them,
    a postal code after the words that name one, and streets named without a number."""
    found = _street_lines(text, stop_words=stop_words) if _HAS_DIGIT.search(text) else []
    found += postcodes(text)
    found += named_streets(text, stop_words=stop_words)
    found += corners(text, found, stop_words=stop_words)
    return _merged(found)


_HAS_DIGIT = re.compile(r"\d")


def _street_lines(text: str, *, stop_words: frozenset[str]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    lowered = text == text.lower()
    pos = 0
    while True:
        match = _street().search(text, pos)
        if match is None:
            return found
        names = " ".join(
            v for k, v in match.groupdict().items() if k.startswith("name") and k != "name7" and v
        )
        words = names.split()
        if any(
            w.lower() in stop_words and not (i < len(words) - 1 and w.lower() in _PARTICLES)
            for i, w in enumerate(words)
        ):
            pos = match.start() + 1
            continue
        name5 = match.group("name5") or match.group("name6") or ""
        capitals = not lowered and any(w[0].islower() for w in name5.split())
        if name5 and ((lowered and match.group("abbr")) or capitals):
            pos = match.start() + 1  # "the main street 5 times": a name needs its capital
            continue
        start, end = match.start(), match.end()
        if match.group("name7") is not None:
            kept = _name_words(match.group("name7"), lowered=lowered, stop_words=stop_words)
            if kept == 0:
                pos = match.start() + 1
                continue
            end = match.start("name7") + kept
        if match.group("name2") and not lowered:
            # Words before a compound street name belong to it only with a capital.
            for word in re.finditer(r"\S+", match.group("name2")):
                if word.group()[0].isupper():
                    break
                start = match.start("name2") + word.end() + 1
        end = _extend(text, end, lowered=lowered, stop_words=stop_words)
        if (
            match.group("name4") is not None
            and not _confirmed(text[match.end() : end])
            and _ADDRESS_CUE.search(text, max(0, start - 40), start) is None
        ):
            pos = match.start() + 1
            continue
        unit = _UNIT_BEFORE.search(text, max(0, start - 24), start) or _UNIT_WORD_BEFORE.search(
            text, max(0, start - 16), start
        )
        found.append((unit.start() if unit else start, end))
        pos = end


def _name_words(name: str, *, lowered: bool, stop_words: frozenset[str]) -> int:
    """Characters of ``name`` that are a street's name: words with a capital (any word where
    the text is in lower case) and the particles between them, up to the first other word."""
    kept = 0
    for word in re.finditer(r"\S+", name):
        value = word.group()
        bare = value.rstrip(".,").lower()
        if bare in _CONNECTORS or bare[:2] in ("l'", "d'", "l’", "d’"):
            continue
        if bare in stop_words or bare in _CLOSINGS or not (value[:1].isupper() or lowered):
            break
        kept = word.start() + len(value.rstrip(".,"))
        if value.endswith((".", ",")) and len(value) > 3:
            break
    return kept


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans as one, in order."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _confirmed(tail: str) -> bool:
    """Whether what follows a bare "number name number" makes it an address."""
    return (
        _unit().search(tail) is not None
        or re.search(r"\b\d{4,6}\b", tail) is not None
        or bool(find_places(tail))
    )


def _extend(text: str, end: int, *, lowered: bool, stop_words: frozenset[str]) -> int:
    """Where the address that runs to ``end`` stops: over units, codes, places and short lines."""
    for _ in range(8):
        # "Király u. 15.\n": a dot after the house number, then more of the address.
        dot = text.startswith(".", end) and text[end - 1].isdigit()
        sep = _SEPARATOR.match(text, end + dot)
        if sep is None or sep.end() >= len(text):
            return end
        part = _part(text, sep.end(), lowered=lowered, stop_words=stop_words)
        if part is None or (dot and "\n" not in sep.group() and not _coded(text, sep.end())):
            return end
        end = part
        if text[end - 1] == "." and text[end - 6 : end - 1].isalpha():  # a sentence ends
            return end - 1
    return end


def _coded(text: str, start: int) -> bool:
    """Whether a unit or a postal code starts at ``start``."""
    return any(p.match(text, start) is not None for p in (_unit(), _POSTCODE))


def _part(text: str, start: int, *, lowered: bool, stop_words: frozenset[str]) -> int | None:
    """The end of one address part at ``start``, or None where the address has ended."""
    for pattern in (_unit(), _POSTCODE, _REGION):
        match = pattern.match(text, start)
        if match is not None and (pattern is not _REGION or _is_code(match.group())):
            return match.end()
    places = find_places(text[start : start + 60])
    if places and places[0][0] == 0:
        return start + places[0][1]
    words = _WORDS.match(text, start)
    if words is None:
        return None
    kept = 0
    parts = words.group().split()
    for i, word in enumerate(parts):
        bare = word.rstrip(".").lower()
        if bare in _CONNECTORS and 0 < i < len(parts) - 1:
            continue
        capital = word[:1].isupper()
        if not (capital or lowered) or bare in stop_words or bare in _CLOSINGS:
            break
        kept = i + 1
        if word.endswith(".") and len(word) > 5:  # a sentence ends here
            break
    if kept == 0:
        return None
    return start + len(" ".join(parts[:kept])) + _inner_spaces(words.group(), kept)


def _is_code(code: str) -> bool:
    return code == "nan" or (code.isupper() and code.lower() not in {"i", "a", "ok", "no"})


def _inner_spaces(group: str, kept: int) -> int:
    """Extra characters where words were split by runs of blanks, not one space."""
    words = group.split()
    joined = " ".join(words[:kept])
    end, i = 0, 0
    for word in words[:kept]:
        i = group.index(word, i) + len(word)
        end = i
    return end - len(joined)

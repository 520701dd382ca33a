"""What a column's name and its values say it holds: the evidence the column judgement weighs.

Name evidence: the column name split into words (``dateOfBirth`` -> dateofbirth,
``Customer_First-Name`` -> customer, firstname) looked up in a small vocabulary. Value
evidence: whether one value is a person's name (a gazetteer of first and last names from every
Faker locale), a calendar date, a street address, or shaped as a phone number or SSN.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from collections.abc import Mapping

#: Fewer digits cannot be a phone, card, SSN or account number.
MIN_DIGITS = 7
#: Pattern entities whose recognizers judge a value alone, and the words naming them.
PATTERN_ENTITIES: dict[str, frozenset[str]] = {
    "EMAIL_ADDRESS": frozenset({"email", "mail", "emailaddress"}),
    "PHONE_NUMBER": frozenset(
        {"phone", "tel", "telephone", "mobile", "cell", "cellphone", "fax", "msisdn"}
    ),
    "US_SSN": frozenset({"ssn", "socialsecurity"}),
    "IP_ADDRESS": frozenset({"ip", "ipaddress", "ipaddr"}),
    "IBAN_CODE": frozenset({"iban"}),
    "CREDIT_CARD": frozenset({"card", "cardnumber", "ccnumber", "ccnum", "creditcard"}),
    "US_DRIVER_LICENSE": frozenset({"license", "licence", "dl", "driverlicense"}),
    "US_PASSPORT": frozenset({"passport"}),
}
PERSON_WORDS = frozenset(
    {
        "name",
        "names",
        "fullname",
        "firstname",
        "lastname",
        "surname",
        "surnames",
        "forename",
        "forenames",
        "givenname",
        "given",
        "middlename",
        "maidenname",
        "nickname",
        "familyname",
        "fname",
        "lname",
    }
)
#: Words that name a person's name beyond doubt.
CLEAR_PERSON_WORDS = PERSON_WORDS - {"name", "names", "given"}
#: Words that make ``first`` / ``last`` / ``middle`` a name part when alone or with ``name``.
NAME_PARTS = frozenset({"first", "last", "middle", "maiden"})
#: Words naming whom a column is about; they strengthen name evidence but cannot make it.
PEOPLE_WORDS = frozenset(
    {
        "person",
        "people",
        "customer",
        "client",
        "patient",
        "employee",
        "user",
        "owner",
        "author",
        "contact",
        "member",
        "student",
        "applicant",
        "driver",
        "passenger",
        "recipient",
        "sender",
        "guest",
        "doctor",
        "physician",
        "officer",
        "witness",
        "victim",
        "defendant",
        "father",
        "mother",
        "spouse",
        "agent",
    }
)
#: Words that say a ``name`` is not a person's (``product_name``, ``file_name``).
NOT_PERSON_WORDS = frozenset(
    {
        "product",
        "file",
        "filename",
        "company",
        "org",
        "organization",
        "organisation",
        "brand",
        "item",
        "event",
        "charge",
        "street",
        "city",
        "country",
        "state",
        "host",
        "hostname",
        "column",
        "field",
        "table",
        "model",
        "dataset",
        "business",
        "store",
        "shop",
        "team",
        "category",
        "type",
        "species",
        "drug",
        "course",
        "school",
        "hospital",
        "project",
        "app",
        "package",
        "domain",
        "place",
        "region",
        "department",
        "group",
        "tag",
        "label",
        "class",
        "feature",
        "test",
        "case",
        "offense",
        "offence",
        "screen",
        "display",
    }
)
#: Words that make a string of surnames an organisation (``Smith, Jones and Lee LLC``).
NOT_NAME_WORDS = frozenset(
    {
        "and",
        "llc",
        "inc",
        "ltd",
        "plc",
        "corp",
        "co",
        "group",
        "gmbh",
        "ag",
        "sa",
        "sons",
        "company",
    }
    | {"bank", "university", "college", "hospital", "school", "foundation", "partners", "llp"}
)
#: Titles that stand in names (``Mrs. Jane Doe``).
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "master", "rev"})
BIRTH_WORDS = frozenset({"dob", "birth", "birthday", "birthdate", "born", "dateofbirth", "bday"})
#: A street address identifies a household; a postcode or city alone is shared by thousands
#: and is left to per-cell detection.
ADDRESS_WORDS = frozenset({"address", "addr", "street", "streetaddress", "homeaddress"})
#: Joined spellings the tokenizer splits apart.
_COMPOUNDS = {
    ("driver", "s", "license"): "driverlicense",
    ("drivers", "license"): "driverlicense",
    ("driver", "license"): "driverlicense",
    ("driver", "s", "licence"): "driverlicense",
    ("drivers", "licence"): "driverlicense",
    ("driver", "licence"): "driverlicense",
    ("d", "o", "b"): "dob",
    ("first", "name"): "firstname",
    ("last", "name"): "lastname",
    ("full", "name"): "fullname",
    ("given", "name"): "givenname",
    ("family", "name"): "familyname",
    ("middle", "name"): "middlename",
    ("e", "mail"): "email",
    ("date", "of", "birth"): "dateofbirth",
    ("birth", "date"): "birthdate",
    ("social", "security"): "socialsecurity",
    ("ip", "address"): "ipaddress",
    ("zip", "code"): "zipcode",
    ("post", "code"): "postcode",
    ("postal", "code"): "postalcode",
    ("card", "number"): "cardnumber",
}
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_NAME_TOKEN = re.compile(r"^[^\W\d_]+(?:['’.-][^\W\d_]+)*\.?$")
_DATE_HINT = re.compile(
    r"^\s*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{2,4}|"
    r"[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{2,4}|\d{8})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?"
    r"(\s?[AaPp][Mm])?(Z|[+-]\d{2}:?\d{2})?)?\s*$"
)
#: Value shapes that count when the column's name says the entity: formats the recognizers
#: leave to context (phone numbers of other regions, SSNs without dashes).
_ID_SHAPE = re.compile(r"\s*(?=(?:[^\d]*\d){4})[A-Za-z0-9][A-Za-z0-9 -]{4,18}[A-Za-z0-9]\s*")
SHAPES = {
    "PHONE_NUMBER": re.compile(
        r"(?=(?:\D*\d){7})\s*(\+|00)?[\d\s().-]{6,20}\d(\s*(x|ext\.?)\s*\d{1,5})?\s*", re.I
    ),
    "US_SSN": re.compile(r"\s*\d{3}[- ]?\d{2}[- ]?\d{4}\s*"),
    # Licence and passport numbers: letters and at least four digits, 6 to 20 characters.
    "US_DRIVER_LICENSE": _ID_SHAPE,
    "US_PASSPORT": _ID_SHAPE,
}
_HOUSE_NUMBER = re.compile(r"(?<!\d)\d{1,6}[A-Za-z]?(?!\d)")
_WORD_OF_LETTERS = re.compile(r"[^\W\d_]{2,}")


def name_words(column: str) -> tuple[str, ...]:
    """A column name as lower-case words, compounds joined (``dateOfBirth`` -> dateofbirth)."""
    words = [w.lower() for w in _WORD.findall(column)]
    out: list[str] = []
    i = 0
    while i < len(words):
        for parts, joined in _COMPOUNDS.items():
            if tuple(words[i : i + len(parts)]) == parts:
                out.append(joined)
                i += len(parts)
                break
        else:
            out.append(words[i])
            i += 1
    return tuple(out)


def named_entity(column: str) -> tuple[str | None, bool]:
    """The entity a column's name points to, and whether it names people (``customer``)."""
    words = set(name_words(column))
    people = bool(words & PEOPLE_WORDS)
    if words & BIRTH_WORDS:
        return "DATE_OF_BIRTH", people
    for entity, vocabulary in PATTERN_ENTITIES.items():
        if words & vocabulary and not (entity == "CREDIT_CARD" and "id" in words):
            return entity, people
    if words & ADDRESS_WORDS and not words & {"ip", "mac", "email", "web", "url"}:
        return "LOCATION", people
    if not words & NOT_PERSON_WORDS and (
        words & PERSON_WORDS
        or (words and words <= NAME_PARTS | {"nm", "n"})
        or (words & NAME_PARTS and words & {"nm", "n"})
    ):
        return "PERSON", people
    return None, people


@functools.cache
def name_gazetteer() -> frozenset[str]:
    """First and last names of every Faker locale, case-folded, less English stop words."""
    from curate.pii.names import disk_cached

    return frozenset(disk_cached("column-names", lambda: [sorted(_name_gazetteer())])[0])


def _name_gazetteer() -> frozenset[str]:
    from faker.providers import person
    from spacy.lang.en.stop_words import STOP_WORDS

    names: set[str] = set()
    for info in pkgutil.iter_modules(person.__path__):
        provider = getattr(
            importlib.import_module(f"{person.__name__}.{info.name}"), "Provider", None
        )
        for attr in dir(provider):
            if attr.startswith(("first_names", "last_names")):
                value = getattr(provider, attr)
                if isinstance(value, Mapping | list | tuple):
                    names.update(str(n).casefold() for n in value)
    return frozenset(names - {w.casefold() for w in STOP_WORDS})


def clearly_names(column: str) -> bool:
    """Whether a column's name leaves no doubt it holds people's names (``surname``,
    ``customer_name``), unlike ``name`` or ``first`` alone."""
    words = set(name_words(column))
    return bool(words & CLEAR_PERSON_WORDS or (words & {"name", "names"} and words & PEOPLE_WORDS))


def name_shaped(value: str) -> list[str] | None:
    """A value's words, case-folded, when it is shaped as a name: one to six words of letters
    (``Braund, Mr. Owen Harris``), no organisation word."""
    words = [
        w.strip('()"')
        for w in value.replace(",", " ").split()
        if len(w.strip('()"').rstrip(".")) > 1
    ]
    if not 1 <= len(words) <= 6 or not all(_NAME_TOKEN.match(w) for w in words):
        return None
    folded = [w.casefold().rstrip(".") for w in words]
    if any(w in NOT_NAME_WORDS for w in folded) or "&" in value:
        return None
    return folded


def is_name(value: str) -> bool:
    """Whether a value reads as a person's name: shaped as one, and at least half of its words
    known first or last names or titles."""
    folded = name_shaped(value)
    if folded is None:
        return False
    known = name_gazetteer()
    hits = sum(
        1
        for w in folded
        if w in known or w in TITLES or any(p in known for p in re.split(r"[-'’]", w))
    )
    return hits * 2 >= len(folded)


def is_date(value: str) -> bool:
    """Whether a value is a calendar date or timestamp (not a bare year or number)."""
    if not _DATE_HINT.match(value):
        return False
    from dateutil import parser  # type: ignore[import-untyped]

    try:
        parser.parse(value)
    except (ValueError, OverflowError):
        return False
    return True


def is_address(value: str) -> bool:
    """A house number and a word, either way round (``10 Main St``, ``Hauptstraße 5``)."""
    return bool(_HOUSE_NUMBER.search(value) and _WORD_OF_LETTERS.search(value))


def could_hold_pattern(value: str) -> bool:
    """Whether a value of a column judged not PII is worth the pattern recognizers: an ``@``,
    or seven digits that are not a date."""
    if "@" in value:
        return True
    return (
        len(value) >= MIN_DIGITS
        and sum(map(str.isdigit, value)) >= MIN_DIGITS
        and not _DATE_HINT.match(value)
    )

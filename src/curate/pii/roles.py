"""Persons named by the role their word plays in the sentence, known names or not.

A word the name gazetteer does not know ("Yumika", "Xenophon") is still a person where the
sentence says so:

- it owns what only people own: "Kian's address", "Cynthia's daughter";
- it is spoken to: "Vittore, can I ...", "... don't go, Carmen!";
- it does what only people do, or has it done to them: "Gayane shouted at ...", "said
  Keiko", "had given Lukas his address", "starring Morrow", "Jan is from Acme".

The word must be able to be a name: a known name, or a capitalised word that is no ordinary
English word (in text written all in lower case, a known name only).
"""

from __future__ import annotations

import re

from curate.pii.dictionary import is_name_word
from curate.pii.names import COMMON_WORDS, group_words, widespread
from curate.pii.resolve import Span

_NAME = r"(?P<name>[^\W\d_][\w'’-]*)"
#: What a person owns that a thing does not.
_OWNED = (
    r"address|daughter|son|wife|husband|mother|father|mom|mum|dad|brother|sister|friend|"
    r"boss|partner|girlfriend|boyfriend|phone|number|e-?mail|account|birthday|house|home|"
    r"family|kids|children|baby|parents|uncle|aunt|cousin|grandmother|grandfather"
)
#: Verbs with a person as their subject, after the name.
_DOES = (
    r"shouted|yelled|whispered|replied|said|says|told|asked|had given|gave|spent|"
    r"is from|was from|works at|worked at|lives in|lived in|is very|was very|is a very|is so"
)
#: Words before a person: verbs and phrases whose object or speaker is one.
_DONE_TO = (
    r"shouted at|yelled at|said to|spoke to|talked to|gave|given|told|asked|says|said|thanked|"
    r"hugged|met with"
)
#: Words before a person that leave no doubt, so a name that is also a word counts.
_NAMED_AS = r"starring|featuring|named him|named her|calls me|call me|married"
_WEAK = (
    re.compile(rf"(?<![\w'’-]){_NAME}\\?['’]s[ \t]+(?:{_OWNED})\b", re.IGNORECASE),
    re.compile(rf"(?:^|[.!?\n][ \t]*){_NAME},[ \t]+(?:can|could|would|will|please|do|did)\b"),
    re.compile(rf",[ \t]+{_NAME}[ \t]*!"),
    re.compile(rf"(?:^|[.!?\n\"“][ \t]*){_NAME}[ \t]+(?:{_DOES})\b", re.IGNORECASE),
    re.compile(rf"\b(?:{_DONE_TO})[ \t]+{_NAME}(?![\w'’-])", re.IGNORECASE),
    re.compile(rf"\b(?:why|how|where)[ \t]+(?:is|was)[ \t]+{_NAME}[ \t]+so\b", re.IGNORECASE),
    # A speaker before a colon and a quotation: 'Ada: "Who are you?"'
    re.compile(rf"(?m)^[ \t]*{_NAME}:[ \t]*(?:\\?[\"“'‘]|\\)"),
)
_STRONG = (
    re.compile(rf"\b(?:{_NAMED_AS})[ \t]+{_NAME}(?![\w'’-])", re.IGNORECASE),
    re.compile(rf"(?:^|[.!?\n\"“][ \t]*){_NAME}[ \t]+(?:shouted|yelled|whispered)\b"),
)


def role_persons(
    text: str, *, english: frozenset[str], stop_words: frozenset[str], score: float
) -> list[Span]:
    """Spans of the words that the patterns of the module docstring make persons."""
    lowered = text == text.lower()
    groups = group_words()
    found: list[Span] = []
    for pattern in (*_WEAK, *_STRONG):
        for match in pattern.finditer(text):
            word = match.group("name")
            key = word.lower()
            if (
                len(word) < 2
                or key in stop_words
                or word.isupper()
                or "'" in word
                or "’" in word
                or key in groups
                or key.rstrip("s") in groups
            ):
                continue
            # A name that is also a word ("Moon", "Honey") needs a role that leaves no doubt.
            known = is_name_word(word, english=english, mixed=not lowered) and (
                key not in english
                or key in widespread()
                or key in COMMON_WORDS
                or pattern in _STRONG
            )
            unknown_capital = (
                word[0].isupper() and not lowered and (key not in english or pattern in _STRONG)
            )
            if known or unknown_capital:
                found.append(Span("PERSON", match.start("name"), match.end("name"), score))
    return found

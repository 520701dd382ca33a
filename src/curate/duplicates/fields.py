"""Field-by-field verification for rows of several short columns (title, authors, year...).

Joined into one text, short fields drown each other: a different year or a journal written
in full in one record and abbreviated in the other moves the Jaccard similarity of the whole
row by a few percent either way. Here each named column is normalised on its own (case,
accents, punctuation, whitespace) and compared on its tokens, where a token also matches one
it abbreviates ("J" and "John", "Anesth" and "Anesthesie"); the fields' scores are averaged
with weights that say how much agreeing on that column tells (its share of distinct values:
a title tells much, a year little), and numbers that disagree in any field (a year, a volume,
"part 1" and "part 2") make the pair different whatever the rest says. The automatic choice
of this comparison, and its weights, is :mod:`curate.duplicates.resolve`'s.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curate.duplicates.lookup import RowLookup
from curate.duplicates.settings import FieldSettings

#: A shorter token matches a longer one it begins when it is an initial or this long.
MIN_ABBREVIATION = 3

Tokens = tuple[str, ...]


def field_tokens(column: pa.Array | pa.ChunkedArray) -> list[Tokens]:
    """Each value's tokens after folding case and accents and dropping punctuation."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    text = pc.cast(column, pa.large_string()).fill_null("")
    text = pc.utf8_normalize(text, "NFKD")
    text = pc.replace_substring_regex(text, r"\p{Mn}+", "")
    text = pc.utf8_lower(text)
    text = pc.replace_substring_regex(text, r"[^\p{L}\p{N}]+", " ")
    return [tuple(w for w in words if w) for words in pc.utf8_split_whitespace(text).to_pylist()]


def field_weights(columns: Sequence[pa.Array | pa.ChunkedArray]) -> tuple[float, ...]:
    """Each column's share of distinct normalised values among its non-empty values."""
    weights = []
    for column in columns:
        values = [tokens for tokens in field_tokens(column) if tokens]
        weights.append(round(len(set(values)) / len(values), 4) if values else 0.0)
    return tuple(weights)


def _matches(short: str, long: str) -> bool:
    if short == long:
        return True
    if len(short) > len(long):
        short, long = long, short
    return (len(short) == 1 or len(short) >= MIN_ABBREVIATION) and long.startswith(short)


def token_similarity(a: Tokens, b: Tokens) -> float:
    """Dice similarity of two token lists, a token matching an equal one or its abbreviation."""
    if len(a) > len(b):
        a, b = b, a
    rest_a, rest_b = Counter(a), Counter(b)
    shared = rest_a & rest_b
    matched = sum(shared.values())
    rest_a -= shared
    rest_b -= shared
    if rest_a and rest_b:
        others = list(rest_b.elements())
        used = [False] * len(others)
        for token in rest_a.elements():
            for k, other in enumerate(others):
                if not used[k] and _matches(token, other):
                    used[k] = True
                    matched += 1
                    break
    return 2 * matched / (len(a) + len(b))


@functools.lru_cache(maxsize=1 << 16)
def _numbers(tokens: Tokens) -> frozenset[str]:
    return frozenset(t for t in tokens if any(c.isdigit() for c in t))


#: Number sets less alike than this (Jaccard) disagree, unless one holds the other.
NUMBERS_AGREE = 0.5


def numbers_disagree(a: Tokens, b: Tokens) -> bool:
    """Both fields hold numbers (tokens with a digit), neither's are all in the other's, and
    fewer than half are shared: "part 1" and "part 2" disagree, a text whose words carry
    digits and differ in one of forty does not."""
    left, right = _numbers(a), _numbers(b)
    if not left or not right or left <= right or right <= left:
        return False
    return len(left & right) / len(left | right) < NUMBERS_AGREE


def record_score(a: Sequence[Tokens], b: Sequence[Tokens], settings: FieldSettings) -> float:
    """The weighted field score of two records (fields empty on either side are left out)."""
    weights = settings.weights or (1.0,) * len(a)
    total = weight = 0.0
    for left, right, w in zip(a, b, weights, strict=True):
        if not left or not right:
            continue
        if settings.numbers_must_agree and numbers_disagree(left, right):
            return 0.0
        total += w * token_similarity(left, right)
        weight += w
    return total / weight if weight else 0.0


@dataclass(frozen=True)
class FieldRecords(RowLookup):
    """The tokens of each field of some rows (``rows`` ascending), scored pair by pair. It
    answers as :class:`~curate.duplicates.confirm.ShingleSets` does, with the field score
    in place of Jaccard similarity."""

    rows: np.ndarray
    tokens: list[tuple[Tokens, ...]]
    settings: FieldSettings

    def jaccard(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        left = self.positions(np.asarray(a, dtype=np.int64))
        right = self.positions(np.asarray(b, dtype=np.int64))
        if (left < 0).any() or (right < 0).any():
            raise KeyError("a row without field tokens")
        return np.array(
            [
                record_score(self.tokens[i], self.tokens[j], self.settings)
                for i, j in zip(left.tolist(), right.tolist(), strict=True)
            ],
            dtype=np.float64,
        )


def records_of(
    rows: np.ndarray, columns: Sequence[pa.Array | pa.ChunkedArray], settings: FieldSettings
) -> FieldRecords:
    """The records of ``rows`` (ascending) from their columns' values, in the same order."""
    per_column = [field_tokens(column) for column in columns]
    return FieldRecords(
        np.asarray(rows, dtype=np.int64), list(zip(*per_column, strict=True)), settings
    )


def merged(parts: Sequence[FieldRecords], settings: FieldSettings) -> FieldRecords:
    """One FieldRecords from parts over increasing, disjoint rows."""
    rows = np.concatenate([np.zeros(0, np.int64), *(p.rows for p in parts)])
    return FieldRecords(rows, [t for p in parts for t in p.tokens], settings)


def verified_scores(records: FieldRecords, pairs: np.ndarray, joined: np.ndarray) -> np.ndarray:
    """The field score of candidate ``pairs`` whose joined text's Jaccard similarity
    (``joined``) reaches the candidate threshold; 0 for the rest, which LSH proposed by
    chance (cheap to rule out, where scoring fields is not)."""
    scores = np.zeros(len(pairs), dtype=np.float64)
    worth = np.flatnonzero(joined >= records.settings.candidate_threshold)
    scores[worth] = records.jaccard(pairs[worth, 0], pairs[worth, 1])
    return scores

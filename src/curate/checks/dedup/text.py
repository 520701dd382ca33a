"""Text normalisation and tokenisation on Arrow arrays, vectorised over a whole batch."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curate.checks.dedup.settings import Normalization

#: Joins the text columns of a row for exact comparison; never produced by normalisation.
COLUMN_SEPARATOR = "\x1f"


def normalize(values: pa.Array | pa.ChunkedArray, settings: Normalization) -> pa.Array:
    """Normalise one text column; missing values become empty strings."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    text = pc.cast(values, pa.large_string()).fill_null("")
    if settings.nfkc:
        text = pc.utf8_normalize(text, "NFKC")
    if settings.lowercase:
        text = pc.utf8_lower(text)
    if settings.punctuation:
        text = pc.replace_substring_regex(text, r"[\p{P}\p{S}]+", " ")
    if settings.whitespace or settings.punctuation:
        text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"\s+", " "))
    return text


def combine(
    columns: Sequence[pa.Array | pa.ChunkedArray], settings: Normalization
) -> tuple[pa.Array, np.ndarray]:
    """The normalised text of each row (columns joined) and whether the row has no text at all."""
    normalised = [normalize(column, settings) for column in columns]
    blank = np.ones(len(normalised[0]), dtype=bool)
    for column in normalised:
        blank &= pc.equal(pc.utf8_trim_whitespace(column), "").to_numpy(zero_copy_only=False)
    if len(normalised) == 1:
        return normalised[0], blank
    joined = pc.binary_join_element_wise(
        *normalised, pa.scalar(COLUMN_SEPARATOR, pa.large_string())
    )
    return joined, blank


def words(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Whitespace-separated words of every row, flat, with the row offsets into them."""
    if pc.any(pc.match_substring(text, COLUMN_SEPARATOR)).as_py():
        text = pc.replace_substring(text, COLUMN_SEPARATOR, " ")
    lists = pc.utf8_split_whitespace(text)
    flat = pc.list_flatten(lists)
    counts = pc.list_value_length(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    empty = pc.equal(flat, "")
    if pc.any(empty).as_py():
        parents = pc.list_parent_indices(lists).to_numpy()
        keep = pc.invert(empty).to_numpy(zero_copy_only=False)
        counts = np.bincount(parents[keep], minlength=len(text)).astype(np.int64)
        flat = flat.filter(pa.array(keep))
    return flat, _offsets(counts)


def codepoints(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Unicode code points of every row, flat (uint32), with the row offsets into them."""
    values = [v or "" for v in text.to_pylist()]
    flat = np.frombuffer("".join(values).encode("utf-32-le"), dtype=np.uint32)
    counts = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
    return flat, _offsets(counts)


def _offsets(counts: np.ndarray) -> np.ndarray:
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets

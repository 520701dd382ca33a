"""Text normalisation and tokenisation on Arrow arrays, vectorised over a whole batch."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curate.duplicates.settings import Normalization

#: Joins the text columns of a row; it stands alone as a token, so column boundaries count.
COLUMN_SEPARATOR = " \x1f "
#: Bytes that separate words: ASCII whitespace. NFKC turns the other Unicode spaces
#: (no-break, ideographic...) into plain spaces first.
_SEPARATES = np.zeros(256, dtype=bool)
_SEPARATES[[9, 10, 11, 12, 13, 32]] = True


def normalize(
    values: pa.Array | pa.ChunkedArray, settings: Normalization, *, collapse: bool = True
) -> pa.Array:
    """Normalise one text column; missing values become empty strings.

    ``collapse=False`` leaves whitespace runs alone, for callers that split into words anyway.
    """
    text, ascii_only = _text(values)
    if settings.nfkc and not ascii_only:
        text = pc.utf8_normalize(text, "NFKC")
    if settings.lowercase:
        text = pc.ascii_lower(text) if ascii_only else pc.utf8_lower(text)
    if settings.punctuation:
        text = pc.replace_substring_regex(text, r"[\p{P}\p{S}]+", " ")
    if collapse and (settings.whitespace or settings.punctuation):
        text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"\s+", " "))
    return text


def _text(values: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, bool]:
    """One column as a large string array without nulls, and whether it is all ASCII."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    text = pc.cast(values, pa.large_string()).fill_null("")
    return text, pc.all(pc.string_is_ascii(text)).as_py() is not False


def combine(
    columns: Sequence[pa.Array | pa.ChunkedArray],
    settings: Normalization,
    *,
    collapse: bool = True,
) -> tuple[pa.Array, np.ndarray]:
    """The normalised text of each row (columns joined) and whether the row has no text at all."""
    return _joined([normalize(column, settings, collapse=collapse) for column in columns])


def _joined(normalised: Sequence[pa.Array]) -> tuple[pa.Array, np.ndarray]:
    blank = np.ones(len(normalised[0]), dtype=bool)
    for column in normalised:
        blank &= pc.equal(pc.utf8_trim_whitespace(column), "").to_numpy(zero_copy_only=False)
    if len(normalised) == 1:
        return normalised[0], blank
    joined = pc.binary_join_element_wise(
        *normalised, pa.scalar(COLUMN_SEPARATOR, pa.large_string())
    )
    return joined, blank


#: Byte maps for the word hasher: every byte to itself, and ASCII capitals to small letters.
SAME_BYTES = np.arange(256, dtype=np.uint8)
ASCII_LOWER = SAME_BYTES.copy()
ASCII_LOWER[ord("A") : ord("Z") + 1] += 32


def combine_words(
    columns: Sequence[pa.Array | pa.ChunkedArray], settings: Normalization
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """:func:`combine` for text split into words, leaving to the word hasher what it can do
    as it reads the bytes: returns the text, the blank rows and the byte map the hasher
    applies. ASCII text whose normalisation is at most lower-casing (no punctuation
    dropped) is returned as it is, with :data:`ASCII_LOWER`, which gives the same words as
    lower-casing it first, without a normalised copy of the batch."""
    raw = [_text(column) for column in columns]
    if settings.punctuation or not all(ascii_only for _, ascii_only in raw):
        text, blank = combine(columns, settings, collapse=False)
        return text, blank, SAME_BYTES
    text, blank = _joined([column for column, _ in raw])
    return text, blank, ASCII_LOWER if settings.lowercase else SAME_BYTES


def buffers(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of a string array without nulls, and each row's byte offsets into them."""
    text = pc.cast(text, pa.large_string())
    _, offsets_buffer, data_buffer = text.buffers()
    start = text.offset
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[start : start + len(text) + 1]
    if data_buffer is None or len(offsets) == 0:
        return np.zeros(0, dtype=np.uint8), np.zeros(len(text) + 1, dtype=np.int64)
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    return data[offsets[0] : offsets[-1]], offsets - offsets[0]


def word_spans(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where every word starts and ends in the flat UTF-8 bytes, and the row offsets into words.

    Words are runs of non-whitespace bytes and never cross rows. Returns (bytes, starts,
    ends, row offsets).
    """
    data, offsets = buffers(text)
    size = len(data)
    word = ~_SEPARATES[data]
    lengths = np.diff(offsets)
    nonempty = lengths > 0
    begins = np.empty(size, dtype=bool)
    begins[1:] = word[1:] & ~word[:-1]
    begins[offsets[:-1][nonempty]] = word[offsets[:-1][nonempty]]  # rows start words afresh
    if size:
        begins[0] = word[0]
    finishes = np.empty(size, dtype=bool)
    finishes[:-1] = word[:-1] & ~word[1:]
    last = offsets[1:][nonempty] - 1
    finishes[last] = word[last]  # and end them
    if size:
        finishes[-1] = word[-1]
    starts = np.flatnonzero(begins)
    ends = np.flatnonzero(finishes) + 1
    rows = np.searchsorted(offsets[1:], starts, side="right")
    return data, starts, ends, _offsets(np.bincount(rows, minlength=len(lengths)))


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

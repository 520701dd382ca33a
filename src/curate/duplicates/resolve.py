"""Settings that suit the data: what curate picks from a sample of the rows, and says it did.

Word 5-grams suit long documents; in a short text a single changed word breaks five of a
handful of shingles, so near duplicates that differ by a few characters are missed. From the
first batch's length distribution curate picks character 3-grams for short texts and word
5-grams for long ones, and compares two or more short columns (title, authors, year) field by
field (:mod:`curate.duplicates.fields`), proposing candidates from the joined text's
character 3-grams at a looser Jaccard. Every choice can be overridden (``--shingle``,
``--shingle-size``, ``--compare``, rules keys) and is reported in ``settings.picked``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curate.duplicates.fields import field_weights
from curate.duplicates.settings import DedupSettings
from curate.duplicates.text import combine
from curate.errors import UsageError

log = logging.getLogger(__name__)

#: Rows whose median length is under this many words count as short texts.
SHORT_TEXT_WORDS = 50
CHAR_SHINGLE_SIZE = 3
WORD_SHINGLE_SIZE = 5
#: Rows whose lengths decide short or long: enough for a stable median, and normalising the
#: whole first batch for it took 4% of a 200,000-row run.
LENGTH_SAMPLE_ROWS = 2_000


def median_words(columns: Sequence[pa.Array | pa.ChunkedArray], settings: DedupSettings) -> float:
    """The median word count of the rows with text, all columns together."""
    text, blank = combine(columns, settings.normalize)
    counts = pc.list_value_length(pc.utf8_split_whitespace(text)).to_numpy(zero_copy_only=False)
    present = counts[~blank]
    return float(np.median(present)) if len(present) else 0.0


def resolve(
    settings: DedupSettings,
    sample: Sequence[pa.Array | pa.ChunkedArray],
    *,
    names: Sequence[str],
) -> DedupSettings:
    """``settings`` with every automatic choice made from ``sample`` (the text columns
    ``names`` of the first rows). Settings already resolved come back unchanged."""
    if settings.picked or not settings.near_enabled:
        return settings
    fields = settings.fields
    if fields.weights is not None and len(fields.weights) != len(names):
        raise UsageError(
            f"dedup field weights: {len(fields.weights)} given for {len(names)} text columns"
        )
    words = median_words([column.slice(0, LENGTH_SAMPLE_ROWS) for column in sample], settings)
    short = words < SHORT_TEXT_WORDS
    compare = fields.compare
    if compare == "auto":
        compare = "fields" if len(names) >= 2 and short else "joined"
    near = settings.near
    if compare == "fields":
        near = near.model_copy(
            update={
                "shingle": "char",
                "shingle_size": CHAR_SHINGLE_SIZE,
                "threshold": fields.candidate_threshold,
            }
        )
        weights = fields.weights or field_weights(sample)
        fields = fields.model_copy(update={"compare": "fields", "weights": weights})
        listed = ", ".join(f"{n} {w:g}" for n, w in zip(names, weights, strict=True))
        picked = (
            f"fields compared one by one (weights {listed}) at score {fields.threshold:g},"
            f" candidates from character {CHAR_SHINGLE_SIZE}-grams at Jaccard"
            f" {fields.candidate_threshold:g} (median {words:g} words a row)"
        )
    else:
        fields = fields.model_copy(update={"compare": "joined"})
        if settings.auto:
            kind, size = ("char", CHAR_SHINGLE_SIZE) if short else ("word", WORD_SHINGLE_SIZE)
            near = near.model_copy(update={"shingle": kind, "shingle_size": size})
        unit = "character" if near.shingle == "char" else "word"
        how = "picked" if settings.auto else "given"
        picked = (
            f"{unit} {near.shingle_size}-grams ({how}; median {words:g} words a row)"
            f" at Jaccard {near.threshold:g}"
        )
    log.info("dedup settings: %s", picked)
    return settings.model_copy(
        update={"near": near, "fields": fields, "auto": False, "picked": picked}
    )

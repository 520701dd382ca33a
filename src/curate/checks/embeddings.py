"""Per-row sentence embeddings of an audit's text, made once per dataset for every check that
needs them (``dedup.semantic``; any other check that embeds every row shares them).

The embedding runs on the audit's engine (:mod:`curate.duplicates.embed`); the last few
results are kept, keyed by the table and the embedding settings, as the dedup checks keep
their fingerprints.
"""

from __future__ import annotations

from curate.checks.data import AuditData
from curate.duplicates.embed import Embedded
from curate.duplicates.semantic import SemanticSettings, embed

_CACHE_SIZE = 2
_cache: list[tuple[tuple[int, tuple[str, ...], int, int, str], object, Embedded]] = []


def row_embeddings(data: AuditData, settings: SemanticSettings) -> Embedded:
    """Every row's vector over the text columns (cached per table and settings)."""
    columns = tuple(data.columns.text)
    key = (id(data.frame), columns, settings.max_tokens, settings.batch, settings.precision)
    for cached_key, frame, result in _cache:
        if cached_key == key and frame is data.frame:
            return result
    result = embed(data.batches(), columns, settings, data.engine)
    _cache.insert(0, (key, data.frame, result))
    del _cache[_CACHE_SIZE:]
    return result

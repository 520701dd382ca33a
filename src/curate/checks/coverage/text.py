"""Text columns: lengths in characters, words and tokens, truncation, language, empty texts."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from curate.checks.coverage.metrics import TextColumn
from curate.checks.coverage.profile import histogram, quantiles
from curate.checks.coverage.tokens import token_counter
from curate.errors import MissingDependencyError

log = logging.getLogger(__name__)

UNDETERMINED = "und"


@functools.cache
def _identifier() -> Any:
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
    except ImportError:
        raise MissingDependencyError(
            feature="language identification", package="py3langid", extra="coverage"
        ) from None
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def languages(texts: Sequence[str], *, min_chars: int, min_confidence: float) -> list[str]:
    """ISO 639 code per text, or ``und`` where the text is too short or the guess too unsure."""
    identifier = _identifier()
    out = []
    for text in texts:
        if len(text.strip()) < min_chars:
            out.append(UNDETERMINED)
            continue
        code, confidence = identifier.classify(text)
        out.append(code if confidence >= min_confidence else UNDETERMINED)
    return out


def text_profile(
    series: pd.Series,
    *,
    tokenizer: str | None,
    max_tokens: int | None,
    near_empty_chars: int,
    language: bool,
    language_min_chars: int,
    language_min_confidence: float,
    language_sample: int | None,
    bins: int,
    unavailable: dict[str, str],
) -> tuple[TextColumn, pd.Series | None, np.ndarray[Any, Any] | None]:
    """The profile of one text column, the language of (a sample of) its rows, and its per-row
    token counts. A part whose optional package is missing is left out and named in ``unavailable``.
    """
    texts = series.astype("string").fillna("")
    values = texts.tolist()
    rows = len(values)
    chars = texts.str.len().to_numpy(dtype=np.int64)
    words = texts.str.count(r"\S+").to_numpy(dtype=np.int64)
    stripped = texts.str.strip().str.len().to_numpy(dtype=np.int64)
    empty = int((stripped == 0).sum())
    near_empty = int(((stripped > 0) & (stripped < near_empty_chars)).sum())

    def share(n: int) -> float:
        return round(n / rows, 6) if rows else 0.0

    out: dict[str, Any] = {
        "chars": quantiles(chars),
        "words": quantiles(words),
        "chars_histogram": histogram(chars, bins=bins),
        "empty": empty,
        "empty_share": share(empty),
        "near_empty": near_empty,
        "near_empty_share": share(near_empty),
    }
    tokens: np.ndarray[Any, Any] | None = None
    if tokenizer is not None:
        try:
            codes, uniques = pd.factorize(texts)  # each distinct text is tokenized once
            tokens = token_counter(tokenizer)(list(uniques))[codes]
        except MissingDependencyError as exc:
            unavailable["tokens"] = str(exc)
        else:
            out["tokenizer"] = tokenizer
            out["tokens"] = quantiles(tokens)
            out["tokens_histogram"] = histogram(tokens, bins=bins)
            if max_tokens is not None:
                truncated = int((tokens > max_tokens).sum())
                out["max_tokens"] = max_tokens
                out["truncated"] = truncated
                out["truncated_share"] = share(truncated)
    lang: pd.Series | None = None
    if language:
        if language_sample is not None and rows > language_sample:
            rng = np.random.default_rng(0)
            picked = np.sort(rng.choice(rows, size=language_sample, replace=False))
        else:
            picked = np.arange(rows)
        try:
            found = languages(
                [values[i] for i in picked],
                min_chars=language_min_chars,
                min_confidence=language_min_confidence,
            )
        except MissingDependencyError as exc:
            unavailable["languages"] = str(exc)
        else:
            lang = pd.Series(found, index=series.index[picked], dtype="string")
            out["language_rows"] = len(picked)
            counts = lang.value_counts()
            out["languages"] = {
                str(k): round(int(v) / len(picked), 6) if len(picked) else 0.0
                for k, v in counts.items()
            }
            determined = counts.drop(UNDETERMINED, errors="ignore")
            out["main_language"] = str(determined.index[0]) if len(determined) else UNDETERMINED
    return TextColumn.model_validate(out), lang, tokens


def summarize_text(text_metrics: dict[str, TextColumn]) -> dict[str, float]:
    """The worst value over text columns of each thresholdable text metric."""
    values = list(text_metrics.values())
    out: dict[str, float] = {
        "empty_text_share": max(v.empty_share for v in values),
        "near_empty_text_share": max(v.near_empty_share for v in values),
    }
    shares = [v.truncated_share for v in values if "truncated_share" in v.model_fields_set]
    if shares:
        out["truncated_share"] = max(shares)
    langs = [v for v in values if "languages" in v.model_fields_set]
    if langs:
        out["main_language_share"] = min(v.languages.get(v.main_language or "", 0.0) for v in langs)
        out["undetermined_language_share"] = max(v.languages.get(UNDETERMINED, 0.0) for v in langs)
    return out


def describe_text(text_metrics: dict[str, TextColumn]) -> str:
    """One clause per text column for the check's summary."""
    parts = []
    for column, v in text_metrics.items():
        bit = f"{column}: median {v.words.get('p50', 0)} words"
        if "truncated_share" in v.model_fields_set:
            bit += f", {v.truncated_share:.1%} over {v.max_tokens} tokens"
        if "languages" in v.model_fields_set:
            bit += f", {v.languages.get(v.main_language or '', 0.0):.0%} {v.main_language}"
        parts.append(bit)
    return "; ".join(parts)

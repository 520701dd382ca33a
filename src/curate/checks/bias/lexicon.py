"""The identity-term lexicon: which groups of people a text mentions, when no column says."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from curate.checks.bias.groups import NO_MENTION, Membership
from curate.errors import RulesError
from curate.shipped import shipped_dir
from curate.yamlfile import refuse_aliases


class _LexiconFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    categories: dict[str, dict[str, list[str]]] = Field(min_length=1)


def default_lexicon_path() -> Path:
    return shipped_dir("rules") / "lexicons" / "identity_terms.yaml"


@dataclass(frozen=True)
class Lexicon:
    """Groups of identity terms by category (gender, ethnicity, religion, age, disability...)."""

    path: str
    categories: dict[str, dict[str, tuple[str, ...]]]
    _patterns: dict[tuple[str, str], str] = field(default_factory=dict, repr=False, compare=False)

    def pattern(self, category: str, group: str) -> str:
        """A regular expression matching any of the group's terms as whole words."""
        key = (category, group)
        if key not in self._patterns:
            terms = sorted(self.categories[category][group], key=len, reverse=True)
            words = "|".join(r"\s+".join(map(re.escape, t.split())) for t in terms)
            self._patterns[key] = rf"(?<![\w-])(?:{words})(?![\w-])"
        return self._patterns[key]

    def mentions(
        self, text: pd.Series, category: str
    ) -> dict[str, np.ndarray[tuple[int], np.dtype[np.bool_]]]:
        """For each group of ``category``, whether each text mentions it."""
        lowered = text.astype("string").fillna("").str.lower()
        return {
            group: lowered.str.contains(self.pattern(category, group), regex=True)
            .fillna(False)
            .to_numpy(dtype=bool)
            for group in self.categories[category]
        }

    def membership(self, text: pd.Series, category: str) -> Membership:
        """Each mention as a (row, group) pair, and rows with no mention as ``no mention``."""
        found = self.mentions(text, category)
        labels = [*found, NO_MENTION]
        none = ~np.logical_or.reduce(list(found.values())) if found else np.ones(len(text), bool)
        rows = [np.flatnonzero(mask) for mask in [*found.values(), none]]
        codes = np.repeat(np.arange(len(labels)), [len(r) for r in rows])
        return Membership(codes=codes, labels=labels, rows=np.concatenate(rows))


@functools.cache
def load_lexicon(path: str | None = None) -> Lexicon:
    """Read and validate a lexicon file (the shipped one when ``path`` is None)."""
    source = Path(path) if path is not None else default_lexicon_path()
    display = path or "rules/lexicons/identity_terms.yaml"
    try:
        text = source.read_text(encoding="utf-8")
        refuse_aliases(text, display, RulesError)
        raw = yaml.safe_load(text)
    except OSError as exc:
        raise RulesError(f"{display}: cannot read lexicon: {exc.strerror}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RulesError(f"{display}: not a valid YAML lexicon: {exc}") from exc
    try:
        model = _LexiconFile.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(map(str, error["loc"]))
        raise RulesError(f"{display}: {key}: {error['msg']}") from None
    categories = {}
    for category, groups in model.categories.items():
        cleaned = {
            g: tuple(t.strip().lower() for t in terms if t.strip()) for g, terms in groups.items()
        }
        empty = [g for g, terms in cleaned.items() if not terms]
        if empty:
            raise RulesError(f"{display}: categories.{category}.{empty[0]}: no terms")
        categories[category] = cleaned
    return Lexicon(path=display, categories=categories)

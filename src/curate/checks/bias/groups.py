"""Groups for the bias checks, and the cells counted per group.

Rows are split into groups by an :class:`Attribute` (a sensitive column, the intersection of
two, or the identity terms a text mentions). A map step counts cells per group with
``numpy.bincount``; a reduce step adds the counts. Rates, gaps and intervals are computed from
those counts alone, in :mod:`curate.checks.bias.rates`, so no step after the map needs the rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pydantic import Field

from curate.checks.base import Params
from curate.io.chat import Role

if TYPE_CHECKING:
    from curate.checks.bias.lexicon import Lexicon
    from curate.rules.schema import Columns

MISSING = "<missing>"
NO_MENTION = "no mention"
JOIN = " × "

Array = np.ndarray[Any, Any]


class GroupParams(Params):
    """Parameters every bias check shares."""

    min_count: int = Field(
        default=30, ge=1, description="groups with fewer rows are shown as too small to judge"
    )
    intersections: bool = Field(
        default=True, description="also compare groups formed by every pair of sensitive columns"
    )
    lexicon: str | None = Field(
        default=None,
        description="identity-term lexicon (YAML) for text data without a sensitive column; "
        "default: the shipped rules/lexicons/identity_terms.yaml",
    )
    bootstrap: int = Field(
        default=1000, ge=0, description="bootstrap resamples for confidence intervals (0: none)"
    )
    confidence: float = Field(default=0.95, gt=0, lt=1)
    seed: int = 0


#: The turns the identity-term lexicon reads apart in chat rows.
CHAT_ROLES: tuple[Role, ...] = ("user", "assistant")


@dataclass(frozen=True)
class Attribute:
    """A way to split rows into groups."""

    name: str
    columns: tuple[str, ...] = ()
    #: an identity-term lexicon category (gender, religion...), for text data
    category: str | None = None
    #: chat rows: whose turns the lexicon reads (the user's questions or the answers)
    turns: Role | None = None

    @property
    def from_text(self) -> bool:
        return self.category is not None


def attributes_for(
    columns: Columns, *, intersections: bool, lexicon: Lexicon | None, chat: bool = False
) -> list[Attribute]:
    """Sensitive columns (and pairs of them), or else the lexicon's categories over the text;
    over chat rows (``chat``), the user's turns and the answers apart."""
    if columns.sensitive:
        single = [Attribute(name=c, columns=(c,)) for c in columns.sensitive]
        pairs = (
            [
                Attribute(name=JOIN.join(pair), columns=pair)
                for pair in itertools.combinations(columns.sensitive, 2)
            ]
            if intersections
            else []
        )
        return single + pairs
    if columns.text and lexicon is not None and chat:
        return [
            Attribute(name=f"mentions: {c} ({role} turns)", category=c, turns=role)
            for role in CHAT_ROLES
            for c in lexicon.categories
        ]
    if columns.text and lexicon is not None:
        return [Attribute(name=f"mentions: {c}", category=c) for c in lexicon.categories]
    return []


@dataclass(frozen=True)
class Membership:
    """Which group each row is in. ``rows`` is None when every row is in exactly one group;
    for text, a row may mention several groups, and ``rows[i]`` is the row of ``codes[i]``."""

    codes: Array
    labels: list[str]
    rows: Array | None = None

    def take(self, values: Array) -> Array:
        return values if self.rows is None else values[self.rows]


def membership(
    frame: pd.DataFrame,
    attribute: Attribute,
    *,
    text: pd.Series | None = None,
    lexicon: Lexicon | None = None,
) -> Membership:
    """The groups of ``frame``'s rows under ``attribute``."""
    if attribute.category is not None:
        if text is None or lexicon is None:
            raise ValueError("a text attribute needs the text and a lexicon")
        return lexicon.membership(text, attribute.category)
    codes: Array = np.zeros(len(frame), dtype=np.int64)
    labels: list[str] | None = None
    for column in attribute.columns:
        col_codes, uniques = pd.factorize(_blank_as_missing(frame[column]))
        names = [str(u) for u in uniques] + [MISSING]
        col_codes = np.where(col_codes < 0, len(uniques), col_codes)
        codes = codes * len(names) + col_codes
        labels = names if labels is None else [f"{a}{JOIN}{b}" for a in labels for b in names]
    labels = labels or [""]
    present = np.unique(codes)
    remap = np.full(len(labels), -1, dtype=np.int64)
    remap[present] = np.arange(len(present))
    return Membership(codes=remap[codes], labels=[labels[i] for i in present])


def _blank_as_missing(values: pd.Series) -> pd.Series:
    """Empty or all-space cells are missing values (CSV readers keep them as ``""``), so they
    join the never-compared ``<missing>`` group instead of forming a group named ``""``."""
    if ptypes.is_numeric_dtype(values.dtype) or ptypes.is_bool_dtype(values.dtype):
        return values
    blank = values.astype("string").str.strip().eq("").fillna(False).astype(bool)
    return values.mask(blank) if bool(blank.any()) else values


def group_names(values: pd.Series) -> pd.Series:
    """Each row's group as text, with missing and blank cells in the ``<missing>`` group."""
    return _blank_as_missing(values).astype("string").fillna(MISSING)


def count(member: Membership, values: Mapping[str, Array]) -> pd.DataFrame:
    """Rows (``n``) and the sum of each value column per group, for one batch."""
    k = len(member.labels)
    data: dict[str, Array] = {"n": np.bincount(member.codes, minlength=k).astype(np.float64)}
    for name, value in values.items():
        data[name] = np.bincount(
            member.codes, weights=member.take(value).astype(np.float64), minlength=k
        )
    return pd.DataFrame(data, index=pd.Index(member.labels, name="group"))


def count_within(
    member: Membership | None, values: Mapping[str, Array], keys: pd.DataFrame
) -> pd.DataFrame:
    """Sums of ``values`` per group and per value of the ``keys`` columns (split, period,
    stratum...), indexed by ``group`` and the keys. ``member`` None puts every row, once,
    in the group ``*``."""
    rows = None if member is None else member.rows
    frame = keys if rows is None else keys.iloc[rows].reset_index(drop=True)
    group = "*" if member is None else np.asarray(member.labels, dtype=object)[member.codes]
    data = frame.assign(
        group=group, **{k: v if rows is None else v[rows] for k, v in values.items()}
    )
    names = ["group", *keys.columns]
    summed = data.groupby(names, sort=False, dropna=False, observed=True)[list(values)].sum()
    return summed.astype(np.float64)


def add_counts(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """The reduce step: sum per-batch counts group by group."""
    frames = [p for p in parts if len(p)]
    if not frames:
        return pd.DataFrame()
    levels = list(range(frames[0].index.nlevels))
    total = pd.concat(frames).groupby(level=levels, sort=False).sum()
    if len(levels) > 1:
        return total
    size = total["n"] if "n" in total else total.sum(axis=1)
    return total.iloc[np.argsort(-size.to_numpy(), kind="stable")]


def confusion_values(y: Array, p: Array | None) -> dict[str, Array]:
    """Cells that partition each row: label positive/negative, or the four confusion cells."""
    y = y.astype(bool)
    if p is None:
        return {"pos": y, "neg": ~y}
    p = p.astype(bool)
    return {"tp": y & p, "fp": ~y & p, "fn": y & ~p, "tn": ~y & ~p}

"""What the four bias checks share: the groups to compare, binary labels, and counting per batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pydantic import Field

from curate.checks.base import MapReduceCheck, Outcome
from curate.checks.bias.groups import (
    CHAT_ROLES,
    JOIN,
    Array,
    Attribute,
    GroupParams,
    Membership,
    add_counts,
    attributes_for,
    count,
    membership,
)
from curate.checks.bias.lexicon import Lexicon, load_lexicon
from curate.checks.data import AuditData
from curate.errors import MissingDependencyError, UsageError
from curate.io.chat import Role
from curate.rules.schema import Target


class BiasParams(GroupParams):
    compare: dict[str, list[str]] = Field(
        default_factory=dict,
        description="per sensitive column, the groups whose gaps are computed (default: all); "
        "other groups are still shown",
    )


P = TypeVar("P", bound=BiasParams)
#: A map step's output: kind of count ("cells", "strata"...) -> attribute name -> counts per group.
Counts = dict[str, dict[str, pd.DataFrame]]


def needs_groups_summary() -> str:
    return (
        "Skipped: needs a sensitive column (--sensitive-column or columns.sensitive), "
        "or a text column to find identity terms in."
    )


class BiasCheck(MapReduceCheck[P, Counts], Generic[P]):
    """A bias check: groups from sensitive columns or identity terms; counts by map and reduce."""

    #: roles whose positive values the check needs (it is skipped, saying so, without them)
    targets: ClassVar[tuple[str, ...]] = ("label", "prediction")
    packages: ClassVar[Mapping[str, str]] = {"scipy": "bias"}

    def lexicon(self, data: AuditData) -> Lexicon | None:
        if data.columns.sensitive or not data.columns.text:
            return None
        return load_lexicon(self.params.lexicon)

    def attributes(self, data: AuditData) -> list[Attribute]:
        return attributes_for(
            data.columns,
            intersections=self.params.intersections,
            lexicon=self.lexicon(data),
            chat=data.as_chat is not None,
        )

    def memberships(self, batch: AuditData) -> dict[str, Membership]:
        lexicon = self.lexicon(batch)
        text = joined_text(batch) if lexicon is not None else None
        chat = batch.as_chat
        by_role: dict[Role, pd.Series] = {}
        if chat is not None and lexicon is not None:
            by_role = {
                role: pd.Series(chat.role_text(role), index=batch.frame.index, dtype="string")
                for role in CHAT_ROLES
            }
        return {
            a.name: membership(
                batch.frame,
                a,
                text=by_role.get(a.turns, text) if a.turns else text,
                lexicon=lexicon,
            )
            for a in self.attributes(batch)
        }

    def values(self, batch: AuditData) -> dict[str, Array]:
        """Per-row values to sum per group (each check names its own)."""
        return {}

    def map(self, batch: AuditData) -> Counts:
        values = self.values(batch)
        return {"cells": {name: count(m, values) for name, m in self.memberships(batch).items()}}

    def run(self, data: AuditData) -> Outcome:
        if not self.attributes(data):
            return Outcome(summary=needs_groups_summary(), skipped=True)
        try:
            for role in self.targets:
                target = getattr(data.columns, role)
                if target is not None:
                    binary(data, target, role=role, threshold=self.threshold(role))
        except UsageError as exc:
            return Outcome(summary=f"Skipped: {exc}.", skipped=True)
        return super().run(data)

    def threshold(self, role: str) -> float | None:
        """The score at or above which a numeric column of ``role`` counts as positive."""
        return None

    def compared(self, attribute: Attribute, groups: Sequence[str]) -> Array:
        """Which groups the rules let into comparisons (``compare``)."""
        wanted = [self.params.compare.get(c) for c in attribute.columns]
        if not any(wanted):
            return np.ones(len(groups), dtype=bool)
        out = []
        for group in groups:
            parts = group.split(JOIN) if len(attribute.columns) > 1 else [group]
            out.append(all(w is None or p in w for p, w in zip(parts, wanted, strict=False)))
        return np.array(out, dtype=bool)


def reduce_counts(partials: Sequence[Counts]) -> Counts:
    """Add up the batches' counts, kind by kind and attribute by attribute."""
    out: Counts = {}
    for kind in dict.fromkeys(k for part in partials for k in part):
        names = dict.fromkeys(n for part in partials for n in part.get(kind, {}))
        out[kind] = {
            name: add_counts(p[kind][name] for p in partials if name in p.get(kind, {}))
            for name in names
        }
    return out


def joined_text(batch: AuditData) -> pd.Series:
    """The text columns of each row joined into one string (for chat rows, every user and
    assistant turn; never the system prompt)."""
    chat = batch.as_chat
    if chat is not None:
        return pd.Series(chat.texts("conversation"), index=batch.frame.index, dtype="string")
    columns = list(batch.columns.text)
    text = batch.frame[columns[0]].astype("string").fillna("")
    for column in columns[1:]:
        text = text + "\n" + batch.frame[column].astype("string").fillna("")
    return text


def binary(data: AuditData, target: Target, *, role: str, threshold: float | None = None) -> Array:
    """Whether each row's label or prediction is positive.

    The rules' ``positive`` values decide; without them, booleans and 0/1 columns are read as
    they are, and a numeric score is positive at or above ``threshold``.
    """
    declared = data.positive(target)
    if declared is not None:
        return np.asarray(declared.to_numpy(dtype=bool))
    values = data.frame[target.column]
    if ptypes.is_bool_dtype(values.dtype):
        return np.asarray(values.fillna(False).to_numpy(dtype=bool))
    if ptypes.is_numeric_dtype(values.dtype):
        distinct = set(pd.unique(values.dropna()).tolist())
        if distinct <= {0, 1}:
            return np.asarray(values.fillna(0).to_numpy() == 1)
        if threshold is not None:
            return np.asarray(values.fillna(-np.inf).to_numpy() >= threshold)
    raise UsageError(
        f"say which values of the {role} column '{target.column}' count as positive "
        f"(--positive-{role} VALUE, or columns.{role}: {{column: {target.column}, positive: [...]}})"
    )


def maybe_binary(data: AuditData, target: Target | None, *, role: str) -> Array | None:
    """Like :func:`binary`, but None where the column is not named or its positive values are
    not known (for checks where the label is optional)."""
    if target is None:
        return None
    try:
        return binary(data, target, role=role)
    except UsageError:
        return None


def scipy_stats() -> Any:
    """``scipy.stats``, or a clear error naming the extra that installs it."""
    try:
        from scipy import stats
    except ImportError:  # pragma: no cover - scipy comes with curate[bias]
        raise MissingDependencyError(feature="bias audits", package="scipy", extra="bias") from None
    return stats


def singles_first(names: Mapping[str, Any]) -> list[str]:
    """Attribute names with single columns before intersections."""
    return sorted(names, key=lambda n: JOIN in n)

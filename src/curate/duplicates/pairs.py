"""Matches of one set of rows against another (cross-split contamination, ``--against``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from curate.duplicates.index import Duplicates


@dataclass(frozen=True)
class Matches:
    """For each matched row, one reference row it copies and their similarity (best first)."""

    row: np.ndarray
    match: np.ndarray
    similarity: np.ndarray

    def __len__(self) -> int:
        return len(self.row)


def cross_split_matches(dups: Duplicates, reference: np.ndarray) -> Matches:
    """Rows outside ``reference`` that are exact or verified near copies of a reference row.

    Only direct links count (the same normalised text, or a verified pair between the two
    rows' exact groups), never a chain through a third row.
    """
    rows = dups.rows
    present = dups.exact_first >= 0
    # The first reference row in each exact group, by group leader.
    ref_in_group = np.full(rows, -1, dtype=np.int64)
    ref_rows = np.flatnonzero(reference & present)[::-1]
    ref_in_group[dups.exact_first[ref_rows]] = ref_rows
    best = np.full(rows, -1, dtype=np.int64)
    best_sim = np.zeros(rows, dtype=np.float64)
    # Near links between groups, both ways round.
    a, b = dups.near_pairs[:, 0], dups.near_pairs[:, 1]
    leader = np.concatenate([a, b])
    other = np.concatenate([b, a])
    sim = np.concatenate([dups.near_similarity, dups.near_similarity])
    useful = ref_in_group[other] >= 0
    order = np.argsort(sim[useful], kind="stable")  # ascending, so the best link is written last
    best[leader[useful][order]] = ref_in_group[other[useful][order]]
    best_sim[leader[useful][order]] = sim[useful][order]
    # Exact copies override near links.
    exact = ref_in_group >= 0
    best[exact] = ref_in_group[exact]
    best_sim[exact] = 1.0
    candidates = np.flatnonzero(~reference & present)
    groups = dups.exact_first[candidates]
    hit = best[groups] >= 0
    matched = candidates[hit]
    match = best[groups[hit]]
    similarity = best_sim[groups[hit]]
    order = np.lexsort((matched, -similarity))
    return Matches(row=matched[order], match=match[order], similarity=similarity[order])

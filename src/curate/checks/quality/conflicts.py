"""Near-duplicate rows that carry different labels, from the dedup pipeline's clusters.

The clusters are those ``dedup.near`` finds under the same settings (computed once per audit
and shared); within each cluster the consensus label is the most common one (ties go to the
label the model finds likeliest over the cluster), and rows labelled otherwise are flagged.
The model's probabilities are honest there because a cluster whose rows disagree is never split
across folds (:func:`mixed`): copies cannot vouch for a label the others contradict. Clusters
that agree may be split; their copies teach the model what the data already agrees on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from curate.checks.data import AuditData

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Conflicts:
    """Rows whose label differs from their near-duplicate cluster's consensus."""

    flagged: Array  # (rows,) bool
    consensus: Array  # (rows,) int64: the cluster's consensus class code, -1 outside clusters
    cluster: Array  # (rows,) int64: the dedup cluster, -1 outside clusters
    clusters: int  # clusters whose rows carry more than one label


def clusters(data: AuditData, *, threshold: float | None) -> Array:
    """The dedup cluster of each row (-1 for none): exact duplicates only when ``threshold``
    is None, else exact and near duplicates at Jaccard >= ``threshold``."""
    from curate.checks.dedup.checks import ExactParams, NearParams
    from curate.checks.dedup.computation import duplicates

    params = ExactParams() if threshold is None else NearParams(threshold=threshold)
    return np.asarray(duplicates(data, params.settings()).cluster, dtype=np.int64)


def mixed(cluster: Array, labels: Array) -> Array:
    """``cluster`` where the cluster's rows carry more than one label, else -1."""
    member = np.flatnonzero(cluster >= 0)
    pairs = np.unique(np.stack([cluster[member], labels[member]], axis=1), axis=0)
    ids, counts = np.unique(pairs[:, 0], return_counts=True)
    out = np.full(len(cluster), -1, dtype=np.int64)
    out[member] = np.where(np.isin(cluster[member], ids[counts > 1]), cluster[member], -1)
    return out


def label_conflicts(cluster: Array, labels: Array, probs: Array) -> Conflicts:
    """Flag rows labelled against their cluster's consensus."""
    rows, classes = len(cluster), probs.shape[1]
    flagged = np.zeros(rows, dtype=bool)
    consensus = np.full(rows, -1, dtype=np.int64)
    member = np.flatnonzero(cluster >= 0)
    if len(member) == 0:
        return Conflicts(flagged, consensus, cluster, 0)
    ids, local = np.unique(cluster[member], return_inverse=True)
    votes = np.zeros((len(ids), classes), dtype=np.float64)
    np.add.at(votes, (local, labels[member]), 1.0)
    likely = np.zeros((len(ids), classes), dtype=np.float64)
    np.add.at(likely, local, probs[member])
    sizes = votes.sum(axis=1, keepdims=True)
    # Votes decide; the model's mean probability (< 1) only breaks ties between them.
    chosen = np.argmax(votes + likely / np.maximum(sizes, 1) * 0.5, axis=1)
    mixed = (votes > 0).sum(axis=1) > 1
    ordered = np.sort(votes, axis=1)
    majority = ordered[:, -1] > ordered[:, -2]
    consensus[member] = chosen[local]
    flagged[member] = (mixed & majority)[local] & (labels[member] != chosen[local])
    return Conflicts(flagged, consensus, cluster, int(mixed.sum()))

"""Out-of-fold predicted probabilities from a cheap model, the input confident learning needs.

Each row's probabilities come from a model that never saw that row (stratified k-fold), so a
wrong label cannot vouch for itself. Features are TF-IDF word 1-2 grams beside character 2-5
grams within words (robust to misspellings and text-speak), or the packaged all-MiniLM-L6-v2
sentence embeddings; the model is a logistic regression. Folds are fitted
through the engine (one fold an item), never a pool of our own.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from curate.engine.base import Engine
from curate.errors import MissingDependencyError

log = logging.getLogger(__name__)

Model = Literal["tfidf", "minilm"]
Array = np.ndarray[Any, Any]
EXTRA = "quality"


def sklearn_module(name: str) -> Any:
    """``sklearn.<name>``, or the one-line error naming the extra that installs it."""
    import importlib

    try:
        return importlib.import_module(f"sklearn.{name}")
    except ImportError:
        raise MissingDependencyError(
            feature="the check 'quality.labels'", package="scikit-learn", extra=EXTRA
        ) from None


@dataclass(frozen=True)
class Features:
    """The model's input: one row per text (a sparse matrix for TF-IDF, dense for MiniLM)."""

    matrix: Any
    model: Model
    dimensions: int


def features(
    texts: Sequence[str], *, model: Model, max_features: int, min_df: int, max_tokens: int
) -> Features:
    """TF-IDF (fitted on every text: unsupervised, so no label leaks) or MiniLM embeddings."""
    if model == "minilm":
        from curate.checks.coverage.topics import embed

        matrix = embed(texts, max_tokens=max_tokens)
        return Features(matrix=matrix, model=model, dimensions=int(matrix.shape[1]))
    text = sklearn_module("feature_extraction.text")
    from scipy import sparse

    common = {"sublinear_tf": True, "min_df": min_df, "max_features": max_features}
    vectorizers = (
        text.TfidfVectorizer(ngram_range=(1, 2), dtype=np.float32, **common),
        text.TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), dtype=np.float32, **common),
    )
    parts = []
    for vectorizer in vectorizers:
        try:
            parts.append(vectorizer.fit_transform(texts))
        except ValueError:  # no term in min_df texts (say, every text empty)
            parts.append(sparse.csr_matrix((len(texts), 1), dtype=np.float32))
    matrix = sparse.hstack(parts, format="csr")
    return Features(matrix=matrix, model=model, dimensions=int(matrix.shape[1]))


@dataclass(frozen=True)
class FoldTask:
    """Fit on a fold's training rows, predict its held-out rows (picklable, for any engine)."""

    matrix: Any
    labels: Array
    classes: int
    c: float
    seed: int

    def __call__(self, fold: tuple[Array, Array]) -> Array:
        linear = sklearn_module("linear_model")
        train, held_out = fold
        out = np.zeros((len(held_out), self.classes), dtype=np.float64)
        seen = np.bincount(self.labels[train], minlength=self.classes)
        if len(held_out) == 0 or (seen > 0).sum() < 2:  # one duplicate cluster fills the fold
            out[:] = seen / max(seen.sum(), 1)
            return out
        model = linear.LogisticRegression(C=self.c, max_iter=1000, random_state=self.seed)
        model.fit(self.matrix[train], self.labels[train])
        out[:, model.classes_] = model.predict_proba(self.matrix[held_out])
        return out


def fold_of(labels: Array, groups: Array | None, *, folds: int, seed: int) -> Array:
    """Each row's held-out fold: stratified by label, and every group (a duplicate cluster;
    -1 for none) whole in the fold of its first row, so no copy of a row trains its judge."""
    selection = sklearn_module("model_selection")
    splitter = selection.StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    fold = np.zeros(len(labels), dtype=np.int64)
    for k, (_, held_out) in enumerate(splitter.split(np.zeros(len(labels)), labels)):
        fold[held_out] = k
    if groups is not None:
        member = np.flatnonzero(groups >= 0)
        _, first, inverse = np.unique(groups[member], return_index=True, return_inverse=True)
        fold[member] = fold[member[first]][inverse]
    return fold


def out_of_fold(
    feats: Features,
    labels: Array,
    *,
    classes: int,
    folds: int,
    c: float,
    seed: int,
    engine: Engine,
    groups: Array | None = None,
) -> Array:
    """Predicted probabilities (rows x classes) for every row from the fold that held it out.

    ``labels`` are class codes 0..classes-1; each class needs at least ``folds`` rows.
    """
    fold = fold_of(labels, groups, folds=folds, seed=seed)
    splits = [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(folds)]
    task = FoldTask(matrix=feats.matrix, labels=labels, classes=classes, c=c, seed=seed)
    parts = engine.map(task, splits, description=f"fitting {folds} folds")
    probs = np.zeros((len(labels), classes), dtype=np.float64)
    for (_, held_out), part in zip(splits, parts, strict=True):
        probs[held_out] = part
    return probs

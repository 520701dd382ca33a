"""Topics: embed a sample of texts with the packaged compact model, cluster, describe each cluster
by its most distinctive terms, and count it per split and per label."""

from __future__ import annotations

import functools
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from curate.checks.coverage.metrics import TopicCluster, Topics
from curate.checks.coverage.tokens import packaged_model_dir
from curate.errors import MissingDependencyError
from curate.progress import track

log = logging.getLogger(__name__)

BATCH = 64
#: Embeddings kept in memory (384 floats each: about 1.5 KiB), least recently used dropped first.
CACHE_SIZE = 50_000
_CACHE: OrderedDict[bytes, np.ndarray[Any, Any]] = OrderedDict()
#: Terms are words of three or more letters: no digits, so no phone numbers or codes.
TERM_PATTERN = r"(?u)\b[^\W\d_]{3,}\b"


def _require(feature: str, module: str, package: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(feature=feature, package=package, extra="coverage") from None


@functools.cache
def _encoder() -> tuple[Any, Any]:
    """The packaged all-MiniLM-L6-v2 as (tokenizer, model), loaded once, offline."""
    _require("topic embeddings", "torch", "torch")
    transformers = _require("topic embeddings", "transformers", "transformers")
    tokenizers = _require("topic embeddings", "tokenizers", "tokenizers")
    folder = packaged_model_dir()
    tokenizer = tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))
    transformers.utils.logging.disable_progress_bar()
    model = transformers.AutoModel.from_pretrained(str(folder), local_files_only=True)
    model.eval()
    return tokenizer, model


def embed(texts: Sequence[str], *, max_tokens: int) -> np.ndarray[Any, Any]:
    """Unit-length sentence embeddings (mean pooling). Texts this process has embedded before
    come from a bounded cache, so re-auditing the same data does not pay again."""
    keys = [_key(text, max_tokens) for text in texts]
    todo = list(dict.fromkeys(k for k in keys if k not in _CACHE))
    if todo:
        first = {k: i for i, k in reversed(list(enumerate(keys)))}
        fresh = _embed([texts[first[k]] for k in todo], max_tokens=max_tokens)
        for key, vector in zip(todo, fresh, strict=True):
            _CACHE[key] = vector
    out = np.stack([_CACHE[k] for k in keys]) if keys else np.zeros((0, 0), dtype=np.float32)
    for key in keys:
        _CACHE.move_to_end(key)
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return out


def _key(text: str, max_tokens: int) -> bytes:
    return hashlib.blake2b(f"{max_tokens}\0{text}".encode(), digest_size=16).digest()


def _embed(texts: Sequence[str], *, max_tokens: int) -> np.ndarray[Any, Any]:
    """Embed with the packaged model, shortest texts batched together."""
    import torch

    tokenizer, model = _encoder()
    tokenizer.enable_truncation(max_tokens)
    tokenizer.enable_padding()
    order = np.argsort([len(t) for t in texts], kind="stable")
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    starts = range(0, len(texts), BATCH)
    with torch.inference_mode():
        for start in track(starts, description=f"embedding {len(texts)} texts", unit="step"):
            index = order[start : start + BATCH]
            encoded = tokenizer.encode_batch([texts[i] for i in index])
            ids = torch.tensor([e.ids for e in encoded])
            mask = torch.tensor([e.attention_mask for e in encoded])
            hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, dim=1)
            out[index] = pooled.numpy()
    return out


def stratified_sample(
    split: pd.Series | None, rows: int, size: int, seed: int
) -> np.ndarray[Any, Any]:
    """Row positions: all rows when few, else a sample where every split gets its share and
    small splits at least a tenth of ``size``."""
    if rows <= size:
        return np.arange(rows)
    rng = np.random.default_rng(seed)
    if split is None:
        return np.sort(rng.choice(rows, size=size, replace=False))
    values = split.to_numpy()
    names, counts = np.unique(values, return_counts=True)
    floor = size // (10 * max(len(names), 1))
    want = np.maximum(np.round(counts / rows * size), np.minimum(counts, floor)).astype(int)
    picked = [
        rng.choice(np.flatnonzero(values == name), size=min(n, c), replace=False)
        for name, n, c in zip(names, want, counts, strict=True)
    ]
    return np.sort(np.concatenate(picked))


def distinctive_terms(
    texts: Sequence[str], clusters: np.ndarray[Any, Any], k: int, *, terms: int, min_docs: int
) -> list[list[str]]:
    """Per cluster, the terms with the highest class-based TF-IDF (frequent in the cluster,
    rare elsewhere); only terms found in at least ``min_docs`` texts, so no one's name shows."""
    text_module = _require("topic terms", "sklearn.feature_extraction.text", "scikit-learn")
    vectorizer = text_module.CountVectorizer(
        stop_words="english", token_pattern=TERM_PATTERN, min_df=min_docs, lowercase=True
    )
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:  # no term is common enough
        return [[] for _ in range(k)]
    vocabulary = np.asarray(vectorizer.get_feature_names_out())
    per_cluster = np.vstack(
        [np.asarray(counts[clusters == c].sum(axis=0)).ravel() for c in range(k)]
    ).astype(float)
    tf = per_cluster / np.clip(per_cluster.sum(axis=1, keepdims=True), 1, None)
    average_words = per_cluster.sum() / k
    idf = np.log1p(average_words / np.clip(per_cluster.sum(axis=0), 1, None))
    scores = tf * idf
    out = []
    for c in range(k):
        best = np.argsort(-scores[c])[:terms]
        out.append([str(vocabulary[i]) for i in best if per_cluster[c, i] > 0])
    return out


def topics(
    texts: pd.Series,
    split: pd.Series | None,
    labels: pd.Series | None,
    *,
    sample: int,
    clusters: int,
    terms: int,
    min_term_docs: int,
    max_tokens: int,
    seed: int,
    reference: str,
    max_train_ratio: float,
    min_eval_rows: int,
) -> tuple[Topics, list[dict[str, Any]]]:
    """Cluster an embedded sample; flag clusters that eval splits have and train lacks."""
    cluster_module = _require("topic clustering", "sklearn.cluster", "scikit-learn")
    positions = stratified_sample(split, len(texts), sample, seed)
    chosen = texts.astype("string").fillna("").iloc[positions].tolist()
    distinct = len(set(chosen))
    k = min(clusters, max(2, len(chosen) // 10), distinct)
    if k < 2:
        return Topics(sampled=len(chosen), clusters=[]), []
    vectors = embed(chosen, max_tokens=max_tokens)
    kmeans = cluster_module.KMeans(n_clusters=k, n_init=3, random_state=seed)
    assigned = kmeans.fit_predict(vectors)
    words = distinctive_terms(chosen, assigned, k, terms=terms, min_docs=min_term_docs)
    split_sample = None if split is None else split.iloc[positions].astype("string").to_numpy()
    label_sample = None if labels is None else labels.iloc[positions].to_numpy()
    ref_share = float(np.mean(split_sample == reference)) if split_sample is not None else 0.0
    described: list[TopicCluster] = []
    findings = []
    for c in np.argsort(-np.bincount(assigned, minlength=k)):
        members = assigned == c
        entry: dict[str, Any] = {
            "topic": len(described),
            "size": int(members.sum()),
            "terms": words[c],
        }
        if split_sample is not None:
            names, counts = np.unique(split_sample[members], return_counts=True)
            entry["by_split"] = {str(n): int(v) for n, v in zip(names, counts, strict=True)}
        if label_sample is not None:
            names, counts = np.unique(label_sample[members], return_counts=True)
            entry["by_label"] = {str(n): int(v) for n, v in zip(names, counts, strict=True)}
        if split_sample is not None and ref_share > 0:
            in_ref = entry["by_split"].get(reference, 0)
            eval_rows = entry["size"] - in_ref
            ratio = (in_ref / entry["size"]) / ref_share
            entry["train_ratio"] = round(ratio, 4)
            entry["missing_from_train"] = bool(
                ratio <= max_train_ratio and eval_rows >= min_eval_rows
            )
            if entry["missing_from_train"]:
                findings.append(
                    {
                        "kind": "topic missing from train",
                        "where": "topic " + str(entry["topic"]) + ": " + ", ".join(words[c][:5]),
                        "rows": eval_rows,
                        "reason": f"{eval_rows} sampled rows outside {reference}, {in_ref} in {reference}",
                    }
                )
        described.append(TopicCluster.model_validate(entry))
    out = Topics(
        sampled=len(chosen),
        model="all-MiniLM-L6-v2",
        clusters=described,
        missing_from_train=len(findings),
    )
    return out, findings

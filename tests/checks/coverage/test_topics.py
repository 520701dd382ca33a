from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from curate.checks.coverage.topics import distinctive_terms, stratified_sample, topics

SPORT = [
    "The striker scored a late goal and the football team won the match",
    "Our football coach praised the goalkeeper after the penalty save",
    "The league match ended in a draw after the referee sent off a defender",
    "Fans cheered as the football club lifted the trophy in the stadium",
]
COOKING = [
    "Simmer the tomato sauce with garlic and basil before adding the pasta",
    "Bake the bread in a hot oven until the crust is golden and crisp",
    "Whisk the eggs with sugar and butter to make a light sponge cake",
    "Season the soup with salt and pepper and serve it with fresh bread",
]
SOFTWARE = [
    "The compiler crashed with a segmentation fault when linking the library",
    "Run the unit tests before you merge the branch into the repository",
    "The database query timed out so we added an index to the table",
    "Refactor the function and fix the memory leak in the parser module",
]
OPENINGS = ["Yesterday", "Today", "Last week", "This morning", "On Sunday", "Again"]


def _texts(templates: list[str], n: int) -> list[str]:
    pairs = itertools.islice(itertools.cycle(itertools.product(OPENINGS, templates)), n)
    return [f"{opening}, {template.lower()}." for opening, template in pairs]


def test_topic_present_in_test_and_absent_from_train_is_flagged() -> None:
    train = _texts(SPORT, 24) + _texts(COOKING, 24)
    test = _texts(SPORT, 8) + _texts(COOKING, 8) + _texts(SOFTWARE, 16)
    texts = pd.Series(train + test)
    split = pd.Series(["train"] * len(train) + ["test"] * len(test))
    labels = pd.Series(["a"] * len(texts))
    out, findings = topics(
        texts,
        split,
        labels,
        sample=500,
        clusters=4,
        terms=5,
        min_term_docs=2,
        max_tokens=64,
        seed=0,
        reference="train",
        max_train_ratio=0.1,
        min_eval_rows=5,
    )
    assert out.sampled == len(texts)
    assert sum(c.size for c in out.clusters) == len(texts)
    flagged = [c for c in out.clusters if c.missing_from_train]
    assert len(flagged) == 1 and out.missing_from_train == 1
    assert flagged[0].by_split == {"test": 16}
    assert {"compiler", "database", "unit", "memory"} & set(flagged[0].terms)
    assert len(findings) == 1 and findings[0]["rows"] == 16
    sports = next(c for c in out.clusters if "football" in c.terms)
    assert sports.by_split == {"test": 8, "train": 24}


def test_distinctive_terms_need_several_documents() -> None:
    texts = ["alpha beta", "alpha beta", "alpha gamma", "zeta omega", "zeta omega", "zeta kappa"]
    clusters = np.array([0, 0, 0, 1, 1, 1])
    terms = distinctive_terms(texts, clusters, 2, terms=3, min_docs=2)
    assert terms[0][:2] == ["alpha", "beta"] and "gamma" not in terms[0]
    assert terms[1][:2] == ["zeta", "omega"] and "kappa" not in terms[1]


def test_stratified_sample_keeps_a_share_of_small_splits() -> None:
    split = pd.Series(["train"] * 9900 + ["test"] * 100)
    picked = stratified_sample(split, len(split), 500, seed=1)
    assert len(set(picked.tolist())) == len(picked)
    in_test = int((split.iloc[picked] == "test").sum())
    assert in_test >= 25  # a tenth of the sample over two splits, not 1% of it
    assert np.array_equal(picked, stratified_sample(split, len(split), 500, seed=1))


def test_fewer_distinct_texts_than_clusters() -> None:
    settings = dict(
        sample=100,
        clusters=8,
        terms=3,
        min_term_docs=2,
        max_tokens=16,
        seed=0,
        reference="train",
        max_train_ratio=0.1,
        min_eval_rows=5,
    )
    two = pd.Series(["the same words"] * 30 + ["other words entirely"] * 30)
    out, findings = topics(two, None, None, **settings)  # type: ignore[arg-type]
    assert [c.size for c in out.clusters] == [30, 30] and findings == []
    one = pd.Series(["only this"] * 40)
    assert topics(one, None, None, **settings)[0].clusters == []  # type: ignore[arg-type]


def test_embeddings_are_unit_length_and_cached() -> None:
    from curate.checks.coverage import topics as module

    texts = [
        "A cached sentence about the sea.",
        "Another one, about mountains.",
        "A cached sentence about the sea.",
    ]
    first = module.embed(texts, max_tokens=32)
    assert first.shape == (3, 384)
    assert np.allclose(np.linalg.norm(first, axis=1), 1, atol=1e-5)
    assert np.array_equal(first[0], first[2])
    cached = len(module._CACHE)
    again = module.embed(texts[:2], max_tokens=32)
    assert len(module._CACHE) == cached and np.array_equal(again, first[:2])
    assert not np.array_equal(module.embed(texts[:1], max_tokens=8)[0], first[0])

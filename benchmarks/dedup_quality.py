"""Dedup quality on real near-duplicates and on planted contamination (run by dedup.py).

    python benchmarks/dedup_quality.py                      # both parts
    python benchmarks/dedup_quality.py --contamination-docs 0   # the real sets only

**Real near-duplicates**: ``../shared/data/neardup_bib/<set>/`` (bibliographic records of the
same papers from several databases; reviewers' groups are the truth). curate runs with only
the columns named (title, author, year, journal) and its defaults; the baseline is a plain
datasketch loop over the same columns joined (word 3-grams, ``MinHashLSH`` at 0.7, 128
permutations). Pairs are every pair within a group, for truth and for both tools.

**Contamination**: ``--contamination-docs`` training documents of Zipf pseudo-words (about
``--doc-words`` words); 1% of them get one evaluation question (15 to 40 words, upper-cased
and with a question mark, at a random place) pasted in. The evaluation set (JSON Lines) holds
those questions and as many that were planted nowhere. ``curate.dedup(train, against=eval)``
must list every planted (document, question) pair among its containment clusters (recall) and
nothing else (false hits).
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
import time
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

BIB = Path(__file__).resolve().parents[2] / "shared" / "data" / "neardup_bib"
BIB_COLUMNS = ["title", "author", "year", "journal"]


T = TypeVar("T", bound=Hashable)


def _pairs(groups: list[list[object]]) -> set[tuple[str, str]]:
    return {p for g in groups for p in itertools.combinations(sorted(map(str, g)), 2)}


def _quality(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, ...]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _datasketch_groups(frame: pd.DataFrame) -> list[list[object]]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.7, num_perm=128)
    links = []
    text = frame[BIB_COLUMNS].fillna("").astype(str).agg(" ".join, axis=1).str.lower()
    for row, value in zip(frame["ID"], text, strict=True):
        words = value.split()
        grams = {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
        sketch = MinHash(num_perm=128)
        sketch.update_batch([g.encode() for g in grams])
        links += [[other, row] for other in lsh.query(sketch)]
        lsh.insert(row, sketch)
    return components(links)


def components(links: Iterable[Sequence[T]]) -> list[list[T]]:
    """The groups that ``links`` (pairs) connect, by union-find; shared with ``dedup.py``."""
    parent: dict[T, T] = {}

    def root(x: T) -> T:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in links:
        parent[root(a)] = root(b)
    groups: dict[T, list[T]] = {}
    for x in list(parent):
        groups.setdefault(root(x), []).append(x)
    return list(groups.values())


def bib_quality(folder: Path = BIB) -> list[dict[str, object]]:
    """Pair precision, recall and F1 of curate and the datasketch loop on each labelled set."""
    import curate

    results = []
    for data in sorted(folder.glob("*/records_pre_merged.csv")):
        frame = pd.read_csv(data, dtype=str)
        truth = _pairs(
            [
                g.split(";")
                for g in pd.read_csv(data.with_name("merged_record_ids.csv"))["merged_ids"]
            ]
        )
        with tempfile.TemporaryDirectory() as tmp:
            clusters = Path(tmp) / "clusters.jsonl"
            started = time.perf_counter()
            result = curate.dedup(
                data, out=Path(tmp) / "kept.csv", text_column=BIB_COLUMNS, id_column="ID",
                clusters=clusters,
            )  # fmt: skip
            seconds = time.perf_counter() - started
            lines = [json.loads(line) for line in clusters.read_text().splitlines()]
        found = _pairs([[line["kept"], *line["dropped"]] for line in lines])
        baseline = _pairs(_datasketch_groups(frame))
        results.append(
            {
                "set": data.parent.name,
                "rows": len(frame),
                "pairs": len(truth),
                "seconds": seconds,
                "picked": result.settings.picked,
                "curate": _quality(found, truth),
                "datasketch": _quality(baseline, truth),
            }
        )
    return results


def _vocabulary(rng: np.random.Generator, size: int = 30_000) -> np.ndarray:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words: dict[str, None] = {}
    while len(words) < size:
        words.setdefault("".join(rng.choice(letters, int(rng.integers(3, 10)))))
    return np.array(list(words), dtype=object)


def contamination(*, docs: int, doc_words: int, seed: int, folder: Path) -> dict[str, float]:
    """Plant questions in 1% of the documents; measure what ``--against`` finds."""
    import curate

    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng)

    def words(n: int) -> list[str]:
        return list(vocab[(rng.zipf(1.1, size=n) - 1) % len(vocab)])

    planted_docs = rng.choice(docs, docs // 100, replace=False)
    questions = [
        " ".join(words(int(rng.integers(15, 41)))) + "?" for _ in range(2 * len(planted_docs))
    ]
    texts = []
    truth: set[tuple[str, str]] = set()
    where = dict(zip(planted_docs.tolist(), range(len(planted_docs)), strict=True))
    for d in range(docs):
        body = words(doc_words)
        if d in where:
            at = int(rng.integers(0, doc_words))
            body = [*body[:at], questions[where[d]].upper(), *body[at:]]
            truth.add((f"d{d}", f"q{where[d]}"))
        texts.append(" ".join(body))
    train, evals = folder / "contamination-train.parquet", folder / "contamination-eval.jsonl"
    pd.DataFrame({"id": [f"d{i}" for i in range(docs)], "text": texts}).to_parquet(train)
    evals.write_text(
        "".join(json.dumps({"id": f"q{i}", "text": q}) + "\n" for i, q in enumerate(questions))
    )
    clusters = folder / "contamination-clusters.jsonl"
    started = time.perf_counter()
    result = curate.dedup(
        train, out=folder / "contamination-kept.parquet", text_column="text", id_column="id",
        against=evals, clusters=clusters,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    found = {
        (doc, line["kept"])
        for line in map(json.loads, clusters.read_text().splitlines())
        if "contains" in line
        for doc in line["dropped"]
    }
    return {
        "docs": docs,
        "planted": len(truth),
        "recall": len(found & truth) / len(truth),
        "false_hits": len(found - truth),
        "copies_flagged": result.against_matches,
        "seconds": seconds,
    }


def report(*, docs: int, doc_words: int, seed: int, folder: Path) -> None:
    """Print both parts (the real sets are skipped, loudly, when the folder is missing)."""
    if BIB.is_dir():
        for r in bib_quality():
            p, rc, f = r["curate"]  # type: ignore[misc]
            bp, br, bf = r["datasketch"]  # type: ignore[misc]
            print(
                f"neardup_bib/{r['set']:<12} {r['rows']:>5} rows {r['pairs']:>4} pairs  curate P {p:.3f}"
                f" R {rc:.3f} F1 {f:.3f} ({float(r['seconds']):.1f}s)  datasketch P {bp:.3f}"  # type: ignore[arg-type]
                f" R {br:.3f} F1 {bf:.3f}"
            )
            print(f"  curate picked: {r['picked']}")
    else:
        print(f"neardup_bib: MISSING ({BIB}); the real-data part did not run")
    if docs:
        c = contamination(docs=docs, doc_words=doc_words, seed=seed, folder=folder)
        print(
            f"contamination: {c['planted']:,} questions planted in {c['docs']:,} documents:"
            f" recall {c['recall']:.4f}, false hits {c['false_hits']}, rows flagged as copies"
            f" {c['copies_flagged']} ({c['seconds']:.1f}s end to end)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contamination-docs", type=int, default=100_000)
    parser.add_argument("--doc-words", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", help="keep the generated files here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="curate-bench-") as tmp:
        folder = Path(args.workdir) if args.workdir else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        report(
            docs=args.contamination_docs, doc_words=args.doc_words, seed=args.seed, folder=folder
        )


if __name__ == "__main__":
    main()

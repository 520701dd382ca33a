"""Benchmark the coverage check on text rows with labels and two sensitive columns.

The table is built from real public data: texts and labels from SMS Spam and HateCheck, each row
given the age, sex and race of a UCI Adult row; 80% train, 20% test. It times the whole check (topic
embeddings on a sample) and each of its parts, and compares the profiling part with pandas
``describe(include="all")`` on the same table in the same run.

    python benchmarks/coverage_check.py --rows 100000
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import curate
from curate.checks.coverage import topics as embeddings
from curate.checks.coverage.drift import split_drift
from curate.checks.coverage.labels import label_balance
from curate.checks.coverage.profile import profile_columns
from curate.checks.coverage.slices import slice_gaps
from curate.checks.coverage.text import languages
from curate.checks.coverage.tokens import PACKAGED, token_counter
from curate.checks.coverage.topics import topics

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
ADULT = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
    "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week",
    "native-country", "income",
]  # fmt: skip


def build_table(rows: int, *, data: Path, seed: int = 0) -> pd.DataFrame:
    sms = pd.read_csv(
        data / "sms_spam" / "SMSSpamCollection", sep="\t", header=None, names=["label", "text"]
    )
    hate = pd.read_csv(data / "hatecheck" / "test_suite_cases.csv")
    texts = pd.concat(
        [
            sms[["text", "label"]],
            hate.rename(columns={"test_case": "text", "label_gold": "label"})[["text", "label"]],
        ],
        ignore_index=True,
    )
    adult = pd.read_csv(
        data / "adult" / "adult.data", header=None, names=ADULT, skipinitialspace=True
    ).dropna()
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(texts), rows)
    # Half the rows join a second text, so nearly every row is distinct (as in real data)
    second = rng.integers(0, len(texts), rows)
    joined = np.where(
        rng.random(rows) < 0.5,
        texts["text"].to_numpy()[pick] + " " + texts["text"].to_numpy()[second],
        texts["text"].to_numpy()[pick],
    )
    people = adult.iloc[rng.integers(0, len(adult), rows)].reset_index(drop=True)
    return pd.DataFrame(
        {
            "id": [f"row-{i:07d}" for i in range(rows)],
            "text": joined,
            "label": texts["label"].to_numpy()[pick],
            "age": people["age"].to_numpy(),
            "sex": people["sex"].to_numpy(),
            "race": people["race"].to_numpy(),
            "split": np.where(rng.random(rows) < 0.8, "train", "test"),
        }
    )


RULES = """version: 1
columns: {{text: text, label: label, id: id, split: split, sensitive: [sex, race]}}
checks:
  coverage:
    topics: {{sample: {sample}, clusters: 8}}
waive: {{schema: coverage only, dedup.exact: coverage only, dedup.cross_split: coverage only, pii: coverage only}}
"""


def fresh_topics(frame: pd.DataFrame, split: pd.Series, *, sample: int) -> Any:
    """The topics part with an empty embedding cache, as a first audit of new data runs it."""
    embeddings._CACHE.clear()
    return topics(
        frame["text"],
        split,
        frame["label"],
        sample=sample,
        clusters=8,
        terms=6,
        min_term_docs=5,
        max_tokens=64,
        seed=0,
        reference="train",
        max_train_ratio=0.1,
        min_eval_rows=5,
    )


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall seconds and the value; CPU seconds (all threads) go to ``CPU``."""
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    CPU.append(time.process_time() - cpu)
    return time.perf_counter() - start, value


CPU: list[float] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--topic-sample", type=int, default=1000)
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    frame = build_table(args.rows, data=args.data)
    distinct = frame["text"].nunique()
    print(
        f"table: {len(frame):,} rows ({distinct:,} distinct texts), columns {', '.join(frame.columns)}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.yaml"
        rules.write_text(RULES.format(sample=args.topic_sample), encoding="utf-8")
        # Warm-up on a few rows: imports and model loading, which a long-running process pays once
        warm, _ = timed(lambda: curate.audit(frame.head(200), rules=rules))
        embeddings._CACHE.clear()  # nothing embedded in the warm-up is reused
        whole, report = timed(lambda: curate.audit(frame, rules=rules))
    result = report.check("coverage")
    print(f"warm-up (imports, tokenizer, model; 200 rows): {warm:.1f} s")
    print(
        f"whole coverage check, {len(frame):,} rows: {whole:.1f} s wall, {CPU[-1]:.1f} s CPU "
        f"({result.status.value}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(f"  summary: {result.summary}")

    texts = frame["text"].astype(str).tolist()
    split = frame["split"].astype("string")
    parts = {
        "profile (curate)": lambda: profile_columns(frame, private={"id", "text"}, top=10, bins=20),
        "tokens (all-MiniLM-L6-v2)": lambda: token_counter(PACKAGED)(texts),
        "languages (py3langid, 20,000 rows)": lambda: languages(
            texts[:20_000], min_chars=20, min_confidence=0.5
        ),
        "labels": lambda: label_balance(frame["label"], split, min_train_rows=50, min_eval_rows=10),
        "slices": lambda: slice_gaps(frame, ["label", "sex", "race"], min_rows=30, max_cells=5000),
        "drift": lambda: split_drift(
            {c: frame[c] for c in ("age", "sex", "race", "label")},
            split,
            reference="train",
            bins=10,
            top=20,
        ),
        f"topics (embed {args.topic_sample}, k-means)": lambda: fresh_topics(
            frame, split, sample=args.topic_sample
        ),
    }
    print("\npart                                  wall s   CPU s")
    seconds = {}
    for name, fn in parts.items():
        seconds[name], _ = timed(fn)
        print(f"{name:<38}{seconds[name]:>7.2f}{CPU[-1]:>8.2f}")
    describe, _ = timed(lambda: frame.describe(include="all"))
    print(f"{'baseline: pandas describe(all)':<38}{describe:>7.2f}{CPU[-1]:>8.2f}")
    ratio = seconds["profile (curate)"] / describe
    print(f"\nprofile / pandas describe: {ratio:.2f}x the time")
    print(f"peak memory (VmHWM): {peak_mib():,.0f} MiB")


def peak_mib() -> float:
    """This process's peak resident memory, from /proc (ru_maxrss would include the exec'ing shell)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()

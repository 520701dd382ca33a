"""Rows/s of ``curate.dedup`` and ``curate.scrub`` on the local engine and on Ray, same run.

    PYTHONPATH=src python benchmarks/ray_scaling.py                      # a few minutes
    PYTHONPATH=src python benchmarks/ray_scaling.py --rows 1000000 --scrub-rows 20000
    PYTHONPATH=src python benchmarks/ray_scaling.py --rows 1000000 --steps dedup

Each of the two steps runs on the same rows four ways: the local engine with one worker (the
baseline) and with two, and a local Ray with one and with two workers (``ray.init(num_cpus=N)``
before the clock starts; Ray's start-up is timed and shown apart). Dedup reads a Parquet
corpus from ``benchmarks/dedup.py`` (about 1 KB a row, 10% planted near-duplicates) and writes
the kept rows; scrub anonymizes a DataFrame of the sentences ``benchmarks/pii.py`` makes (Faker
values in templates) with the default rules; every run includes loading the spaCy model once
per worker (the local pool's forked workers inherit the parent's), but only Ray's workers also
pay for importing spaCy and Presidio. Every configuration's output must equal the baseline's
(the script stops otherwise). "Ray overhead" is Ray's time at one worker over the local
engine's at one worker, minus one. Dedup on Ray also runs a second time on the same Ray (shown
apart, not counted): its workers have then imported curate and loaded the compiled kernels, so
the difference is the fixed cost each command pays on each worker, and the rest is per row.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import curate
import dedup as dedup_corpus  # the sibling benchmarks' corpus makers
import pii as pii_corpus
from curate.pii import analyzer
from curate.progress import set_quiet

CONFIGS = (("local", 1), ("local", 2), ("ray", 1), ("ray", 2))


def timed(
    engine: str, workers: int, step: Callable[[str, int], object], *, rerun: bool = False
) -> tuple[float, object, list[str]]:
    """Seconds for one step on one configuration (Ray started before the clock), its output,
    and notes on what was not counted (Ray's start-up; with ``rerun``, a run on warm workers)."""
    notes: list[str] = []
    started_ray = 0.0
    if engine == "ray":
        import ray

        began = time.perf_counter()
        ray.init(
            num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False
        )
        started_ray = time.perf_counter() - began
    try:
        began = time.perf_counter()
        output = step(engine, workers)
        seconds = time.perf_counter() - began
        if rerun and engine == "ray":
            began = time.perf_counter()
            if step(engine, workers) != output:
                raise SystemExit(f"a second run on {engine} x{workers} differs from the first")
            warm = time.perf_counter() - began
            notes.append(f"again on the same Ray, workers warm: {warm:.1f} s")
    finally:
        if engine == "ray":
            ray.shutdown()
    if started_ray:
        notes.insert(0, f"ray start-up {started_ray:.1f} s")
    return seconds, output, notes


def measure(
    name: str, rows: int, step: Callable[[str, int], object], *, rerun: bool = False
) -> dict[str, float]:
    print(f"{name}: {rows:,} rows", flush=True)
    rates: dict[str, float] = {}
    baseline: object = None
    for engine, workers in CONFIGS:
        seconds, output, notes = timed(engine, workers, step, rerun=rerun)
        if baseline is None:
            baseline = output
        elif output != baseline:
            raise SystemExit(f"{name} on {engine} x{workers} differs from local x1")
        label = f"{engine} x{workers}"
        rates[label] = rows / seconds
        print(f"  {label:<8} {seconds:8.1f} s  {rows / seconds:10,.0f} rows/s", flush=True)
        for note in notes:
            print(f"    ({note}; not counted)", flush=True)
    overhead = rates["local x1"] / rates["ray x1"] - 1
    print(f"  ray overhead at one worker: {overhead:+.1%}", flush=True)
    print(f"  ray speed-up, 2 workers over 1: {rates['ray x2'] / rates['ray x1']:.2f}x", flush=True)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40_000, help="rows through dedup")
    parser.add_argument("--scrub-rows", type=int, default=1_500, help="rows through scrub")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--steps", choices=("both", "dedup", "scrub"), default="both", help="what to measure"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("RAY_DISABLE_USAGE_STATS", "1")
    set_quiet(True)

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.steps != "scrub":
            corpus = dedup_corpus.make_corpus(
                work / "corpus.parquet", rows=args.rows, row_bytes=1_000, plant=0.1, seed=args.seed
            )

            def run_dedup(engine: str, workers: int) -> object:
                out = work / f"kept-{engine}-{workers}.parquet"
                clusters = work / f"clusters-{engine}-{workers}.jsonl"
                curate.dedup(
                    corpus, out=out, clusters=clusters, text_column="text", engine=engine,
                    workers=workers,
                )  # fmt: skip
                return out.read_bytes(), clusters.read_bytes()

            measure("dedup", args.rows, run_dedup, rerun=True)

        if args.steps != "dedup":
            texts, _ = pii_corpus.make_corpus(args.scrub_rows, seed=args.seed)
            frame = pd.DataFrame({"text": texts})
            curate.scrub(frame.head(3))  # imports spaCy and Presidio, as Ray's workers already have

            def run_scrub(engine: str, workers: int) -> object:
                analyzer._cached.cache_clear()  # every run loads the model, as each actor does
                result = curate.scrub(frame, engine=engine, workers=workers)
                scrubbed = result.files[0].frame
                assert scrubbed is not None
                return scrubbed["text"].tolist()

            measure("scrub", args.scrub_rows, run_scrub)


if __name__ == "__main__":
    main()

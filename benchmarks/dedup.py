"""Benchmark ``curate dedup`` against the datasketch loop on a corpus with planted near-duplicates.

    python benchmarks/dedup.py --rows 20000              # quick
    python benchmarks/dedup.py --rows 1000000 --baseline-rows 20000
    python benchmarks/dedup.py --rows 1000000 --row-bytes 1000 --no-baselines --no-quality

The corpus is synthetic: rows of about ``--row-bytes`` bytes of Zipf-distributed pseudo-words;
``--plant`` of the rows are copies of an earlier row with words substituted at known edit
rates (0 = exact copy). The truth is every pair within the groups that planted pairs at or above
the threshold (exact 5-gram Jaccard) connect; pairs planted below it must *not* be found.
Both tools' pairs are closed the same way (all pairs within a cluster). curate runs end to end
(read Parquet, shingle, hash, index, verify, write) in a fresh process; the baseline, in
another fresh process, is datasketch's ``MinHash.update_batch`` per row with ``MinHashLSH``
insert and query and a signature check of each candidate, on the first ``--baseline-rows``
rows (it does not read or write files); a third, rensa's Rust ``RMinHash`` and ``RMinHashLSH``
in the same loop, on ``--rensa-rows`` (default: all of curate's rows). Prints rows/s, MB/s, peak memory (max RSS of the
process), CPU seconds (user and system, every thread, Python's start-up included: a figure that
moves far less than the wall clock on a busy machine) and pair precision, recall and F1 for both. Then, in the same run, the quality parts
of ``dedup_quality.py``: real labelled near-duplicates (``../shared/data/neardup_bib``, curate
against a datasketch word-3-gram loop) and planted contamination (``--contamination-docs``).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

EDIT_RATES = (0.0, 0.005, 0.01, 0.02, 0.04)
SHINGLE = 5
NUM_PERM = 128
CHUNK = 50_000


def _vocabulary(rng: np.random.Generator, size: int = 50_000) -> np.ndarray:
    """Distinct pseudo-words, so that different word ids are different text."""
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words: dict[str, None] = {}
    while len(words) < size:
        words.setdefault("".join(rng.choice(letters, int(rng.integers(3, 10)))))
    return np.array(list(words), dtype=object)


def make_corpus(path: Path, *, rows: int, row_bytes: int, plant: float, seed: int) -> Path:
    """Write the corpus to Parquet and the planted pairs (with exact Jaccard) beside it."""
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng)
    mean_word = float(np.mean([len(w) for w in vocab[:1000]])) + 1
    words = max(SHINGLE + 1, round(row_bytes / mean_word))
    planted: list[tuple[int, int, float, float]] = []
    schema = pa.schema([("text", pa.string()), ("n", pa.int64())])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, CHUNK):
            size = min(CHUNK, rows - start)
            ids = (rng.zipf(1.1, size=(size, words)) - 1) % len(vocab)
            copies = rng.random(size) < plant
            copies[0] = False
            for row in np.flatnonzero(copies):
                source = int(rng.integers(0, row))
                if copies[source]:
                    copies[row] = False
                    continue
                rate = EDIT_RATES[int(rng.integers(0, len(EDIT_RATES)))]
                ids[row] = ids[source]
                edits = np.flatnonzero(rng.random(words) < rate)
                ids[row, edits] = (ids[row, edits] + 1 + rng.integers(0, 1000, len(edits))) % len(
                    vocab
                )
                truth = _jaccard(ids[source], ids[row])
                planted.append((start + source, start + int(row), rate, truth))
            text = [" ".join(vocab[r]) for r in ids]
            writer.write_table(pa.table({"text": text, "n": np.arange(start, start + size)}))
    path.with_suffix(".planted.json").write_text(json.dumps(planted))
    return path


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    def grams(x: np.ndarray) -> set[tuple[int, ...]]:
        v = x.tolist()
        return set(zip(*(v[i:] for i in range(SHINGLE)), strict=False))

    left, right = grams(a), grams(b)
    return len(left & right) / len(left | right)


def _all_pairs(members: list[int]) -> set[tuple[int, int]]:
    ordered = sorted(members)
    return {(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]}


def _group_pairs(links: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Every pair within the groups that ``links`` connect (a copy and its copy's copy too)."""
    from dedup_quality import components

    return {pair for members in components(links) for pair in _all_pairs(members)}


def _pairs_from_clusters(path: Path) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for line in path.read_text().splitlines():
        group = json.loads(line)
        pairs |= _all_pairs([group["kept"], *group["dropped"]])
    return pairs


def run_curate(corpus: Path, threshold: float, seed: int, workers: int | None) -> dict[str, object]:
    import curate

    out = corpus.with_name("deduped.parquet")
    clusters = corpus.with_name("clusters.jsonl")  # written beside the corpus, then read back
    started = time.perf_counter()
    result = curate.dedup(
        corpus,
        out=out,
        text_column="text",
        threshold=threshold,
        clusters=clusters,
        workers=workers,
    )
    seconds = time.perf_counter() - started
    pairs = _pairs_from_clusters(clusters)
    return {"seconds": seconds, "rows": result.rows, "kept": result.kept, "pairs": sorted(pairs)}


def run_datasketch(corpus: Path, threshold: float, rows: int, seed: int) -> dict[str, object]:
    from datasketch import MinHash, MinHashLSH

    texts = _texts(corpus, rows)
    started = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)

    def sketch_of(shingles: set[str]) -> Any:
        sketch = MinHash(num_perm=NUM_PERM, seed=seed)
        sketch.update_batch([s.encode() for s in shingles])
        return sketch

    pairs = _per_row_loop(texts, lsh, sketch_of, threshold)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(texts), "pairs": sorted(pairs)}


def _per_row_loop(
    texts: list[str], lsh: Any, sketch_of: Callable[[set[str]], Any], threshold: float
) -> set[tuple[int, int]]:
    """The baselines' loop: sketch each row's word 5-grams, query the LSH index, check each
    candidate's estimated Jaccard, insert the row."""
    sketches: list[Any] = []
    pairs: set[tuple[int, int]] = set()
    for row, text in enumerate(texts):
        tokens = text.split()
        shingles = {" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}
        sketch = sketch_of(shingles)
        for other in lsh.query(sketch):
            if sketches[other].jaccard(sketch) >= threshold:
                pairs.add((other, row))
        lsh.insert(row, sketch)
        sketches.append(sketch)
    return pairs


def _rensa_bands(threshold: float, num_perm: int) -> int:
    """rensa needs bands that divide ``num_perm``: the one whose S-curve midpoint
    ``(1/b)^(1/r)`` lies nearest at or below the threshold (recall first, as datasketch)."""
    divisors = [b for b in range(1, num_perm + 1) if num_perm % b == 0]
    below = [b for b in divisors if (1 / b) ** (b / num_perm) <= threshold]
    return min(below, key=lambda b: threshold - (1 / b) ** (b / num_perm))


def run_rensa(corpus: Path, threshold: float, rows: int, seed: int) -> dict[str, object]:
    """The same per-row loop as :func:`run_datasketch`, with rensa's Rust MinHash and LSH."""
    from rensa import RMinHash, RMinHashLSH

    texts = _texts(corpus, rows)
    started = time.perf_counter()
    lsh = RMinHashLSH(
        threshold=threshold, num_perm=NUM_PERM, num_bands=_rensa_bands(threshold, NUM_PERM)
    )

    def sketch_of(shingles: set[str]) -> Any:
        sketch = RMinHash(num_perm=NUM_PERM, seed=seed)
        sketch.update(list(shingles))
        return sketch

    pairs = _per_row_loop(texts, lsh, sketch_of, threshold)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(texts), "pairs": sorted(pairs)}


def _texts(corpus: Path, rows: int) -> list[str]:
    """The first ``rows`` texts of the corpus (read before the loops' clocks start)."""
    texts: list[str] = []
    for batch in pq.ParquetFile(corpus).iter_batches(batch_size=10_000, columns=["text"]):
        texts += batch.column(0).to_pylist()
        if len(texts) >= rows:
            break
    return texts[:rows]


def _worker(args: argparse.Namespace) -> None:
    corpus = Path(args.corpus)
    if args.worker == "curate":
        out = run_curate(corpus, args.threshold, args.seed, args.workers)
    elif args.worker == "rensa":
        out = run_rensa(corpus, args.threshold, args.rensa_rows, args.seed)
    else:
        out = run_datasketch(corpus, args.threshold, args.baseline_rows, args.seed)
    out["max_rss_mb"] = _peak_mb()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s"] = usage.ru_utime + usage.ru_stime
    print(json.dumps(out))


def _peak_mb() -> float:
    """This process's peak resident memory. ``ru_maxrss`` would not do: Linux carries it over
    from the parent through fork and exec, and the parent held the whole corpus."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(name: str, args: argparse.Namespace, corpus: Path) -> dict[str, object]:
    command = [sys.executable, __file__, "--worker", name, "--corpus", str(corpus)]
    command += ["--threshold", str(args.threshold), "--seed", str(args.seed)]
    command += ["--baseline-rows", str(args.baseline_rows), "--rensa-rows", str(args.rensa_rows)]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _quality(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> dict[str, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--row-bytes", type=int, default=1_000)
    parser.add_argument("--plant", type=float, default=0.1, help="share of rows planted as copies")
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--workers", type=int, help="curate's threads (default: its own choice, one per core here)"
    )
    parser.add_argument("--workdir", help="keep (and reuse) the corpus here, not in a temp dir")
    parser.add_argument(
        "--contamination-docs",
        type=int,
        default=100_000,
        help="documents for the planted-contamination part (0 skips it)",
    )
    parser.add_argument(
        "--no-quality", action="store_true", help="skip the real-data and contamination parts"
    )
    parser.add_argument(
        "--no-baselines",
        action="store_true",
        help="time curate alone (its seconds, peak memory and pair quality), no datasketch or rensa",
    )
    parser.add_argument(
        "--rensa-rows", type=int, help="rows for the rensa loop (default: all, curate's rows)"
    )
    parser.add_argument(
        "--worker", choices=["curate", "datasketch", "rensa"], help=argparse.SUPPRESS
    )
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args)
        return
    args.baseline_rows = min(args.baseline_rows, args.rows)
    args.rensa_rows = min(args.rensa_rows or args.rows, args.rows)
    with tempfile.TemporaryDirectory(prefix="curate-bench-") as tmp:
        folder = Path(args.workdir) if args.workdir else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"corpus-{args.rows}-{args.row_bytes}-{args.plant}-{args.seed}.parquet"
        corpus = folder / name
        started = time.perf_counter()
        if not corpus.with_suffix(".planted.json").exists():
            make_corpus(
                corpus, rows=args.rows, row_bytes=args.row_bytes, plant=args.plant, seed=args.seed
            )
        text_mb = (
            sum(
                pc.sum(pc.binary_length(batch.column(0))).as_py()
                for batch in pq.ParquetFile(corpus).iter_batches(columns=["text"])
            )
            / 1e6
        )
        planted = json.loads(corpus.with_suffix(".planted.json").read_text())
        truth = _group_pairs([(a, b) for a, b, _, j in planted if j >= args.threshold])
        print(
            f"corpus: {args.rows:,} rows, {text_mb:,.1f} MB of text, {len(planted):,} planted"
            f" pairs ({len(truth):,} at Jaccard >= {args.threshold}); made in"
            f" {time.perf_counter() - started:.1f}s"
        )
        mb_per_row = text_mb / args.rows
        rows = {}
        tools = ("curate",) if args.no_baselines else ("curate", "datasketch", "rensa")
        for name in tools:
            result = _measure(name, args, corpus)
            n = int(result["rows"])  # type: ignore[call-overload]
            seconds = float(result["seconds"])  # type: ignore[arg-type]
            scope = {(a, b) for a, b in truth if b < n}
            found = _group_pairs([(int(a), int(b)) for a, b in result["pairs"]])  # type: ignore[attr-defined]
            quality = _quality(found, scope)
            rows[name] = n / seconds
            print(
                f"{name:<10} {n:>9,} rows {seconds:8.1f}s {n / seconds:>10,.0f} rows/s"
                f" {n * mb_per_row / seconds:7.1f} MB/s  peak {float(result['max_rss_mb']):7,.0f} MB"  # type: ignore[arg-type]
                f"  CPU {float(result['cpu_s']):6.1f}s"  # type: ignore[arg-type]
                f"  P {quality['precision']:.3f} R {quality['recall']:.3f} F1 {quality['f1']:.3f}"
            )
        if not args.no_baselines:
            print(
                f"speed-up (rows/s): {rows['curate'] / rows['datasketch']:.1f}x the datasketch"
                f" loop, {rows['curate'] / rows['rensa']:.2f}x the rensa loop"
            )
        if not args.no_quality:
            from dedup_quality import report

            report(docs=args.contamination_docs, doc_words=150, seed=args.seed, folder=folder)


if __name__ == "__main__":
    main()

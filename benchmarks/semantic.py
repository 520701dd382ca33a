"""Duplicates by meaning (``dedup.semantic``): quality on paraphrases of real SMS, and speed.

    python benchmarks/semantic.py                          # quality + 100,000-row speed run
    python benchmarks/semantic.py --speed-only --cli       # speed, and the whole CLI command
    python benchmarks/semantic.py --rows 1500 --speed-rows 0

**Quality.** The rows are SMS Spam messages (``../shared/data/sms_spam``), first deduplicated
exactly and by curate's MinHash near-dup defaults, so the rows left are distinct. From a
seeded sample of them a paraphrase is made (back-translation is unavailable offline): up to
two words swapped for synonyms from a small hand-written table (:data:`SYNONYMS`; no
packaged lexicon such as WordNet is installed), and, where the message has two or more clauses,
its clauses reordered or one short clause dropped. The data is the distinct rows plus the
paraphrases; a found pair is right when it joins a message and its own paraphrase, and false
otherwise (any pair of two distinct rows, or of a paraphrase and another row). Pairs come from
:func:`curate.duplicates.semantic.similar_pairs` (k-means, nearest clusters probed), and the
same vectors compared every pair with every pair (brute force) show what k-means costs. Each
model precision in ``--precisions`` is embedded in the same run: CPU seconds against the first,
and precision and recall at the default threshold.

**Speed.** ``--speed-rows`` distinct rows (default 100,000) of real SMS words: the start of
one message joined to the rest of another, so the rows have the messages' lengths. They are
embedded on the local engine (one process per core) and searched (k-means, cosine in the
probed clusters) with the pipeline's own functions, each timed (wall and CPU seconds, workers
included); ``--cli`` then times ``curate dedup --semantic`` on the same rows as a Parquet file
(reading, exact and MinHash passes, embedding, search, writing).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

log = logging.getLogger(__name__)

SMS = Path(__file__).resolve().parents[2] / "shared" / "data" / "sms_spam" / "SMSSpamCollection"

#: A hand-written synonym table (both directions are used). No WordNet or other lexicon is
#: installed in this environment, so this is the offline stand-in the issue allows.
# fmt: off
SYNONYMS = {
    "call": "phone", "home": "house", "now": "right away", "later": "afterwards",
    "good": "nice", "great": "excellent", "happy": "glad", "sorry": "apologies",
    "buy": "purchase", "get": "receive", "tell": "inform", "want": "wish",
    "need": "require", "help": "assist", "start": "begin", "finish": "complete",
    "end": "finish", "big": "large", "small": "little", "fast": "quick", "quickly": "fast",
    "soon": "shortly", "tonight": "this evening", "tomorrow": "the next day",
    "today": "this day", "friend": "mate", "friends": "mates", "money": "cash",
    "free": "complimentary", "win": "obtain", "won": "obtained", "prize": "reward",
    "car": "vehicle", "job": "work", "house": "home", "love": "adore", "like": "enjoy",
    "think": "believe", "know": "realise", "see": "notice", "look": "check",
    "reply": "respond", "send": "text", "message": "text", "phone": "mobile",
    "mobile": "cell", "pick": "collect", "come": "arrive", "leave": "depart",
    "talk": "speak", "said": "stated", "say": "state", "ok": "okay", "okay": "alright",
    "yes": "yeah", "sure": "certain", "maybe": "perhaps", "also": "too", "very": "really",
    "really": "truly", "much": "a lot", "lot": "load", "many": "numerous",
    "place": "spot", "week": "seven days", "night": "evening", "morning": "am",
    "eat": "have food", "dinner": "supper", "food": "meal", "sleep": "rest",
    "tired": "exhausted", "late": "delayed", "early": "ahead of time", "wait": "hold on",
    "try": "attempt", "use": "utilise", "show": "display", "ask": "enquire",
    "answer": "response", "problem": "issue", "mistake": "error", "chance": "opportunity",
    "guaranteed": "assured", "claim": "collect", "contact": "reach", "number": "no.",
    "customer": "client", "service": "support", "pls": "please", "please": "pls",
    "thanks": "thank you", "thank": "thx", "hi": "hello", "hello": "hey", "hey": "hi",
    "watch": "see", "film": "movie", "movie": "film", "game": "match", "meet": "see",
    "fine": "ok", "nice": "lovely", "bad": "awful", "angry": "mad", "funny": "hilarious",
    "cold": "chilly", "hot": "warm", "cheap": "inexpensive", "gift": "present",
    "shop": "store", "town": "city", "road": "street", "walk": "stroll", "run": "jog",
    "big.": "huge.", "anything": "something", "everything": "all", "nothing": "nought",
    "someone": "somebody", "everyone": "everybody", "wanna": "want to", "gonna": "going to",
}
# fmt: on
_WORD = re.compile(r"^(\W*)(\w+)(\W*)$")
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_COMMA = re.compile(r",\s+")


def _synonyms(words: list[str], rng: np.random.Generator, most: int) -> tuple[list[str], int]:
    places = []
    for i, word in enumerate(words):
        match = _WORD.match(word)
        if match and match.group(2).lower() in SYNONYMS:
            places.append(i)
    changed = 0
    for i in rng.permutation(places)[:most]:
        pre, core, post = _WORD.match(words[i]).groups()  # type: ignore[union-attr]
        new = SYNONYMS[core.lower()]
        words[i] = pre + (new.capitalize() if core[:1].isupper() else new) + post
        changed += 1
    return words, changed


def paraphrase(text: str, rng: np.random.Generator) -> str | None:
    """A paraphrase of ``text``, or None when nothing in it can be changed: whole sentences
    reordered, or a short trailing clause (a quarter of the words at most) dropped, or neither;
    then one word in four (at most two) swapped for a synonym."""
    text = " ".join(text.split())
    sentences = [s for s in _SENTENCES.split(text) if s]
    words_in = len(text.split())
    if len(sentences) >= 2 and rng.random() < 0.5:
        sentences = sentences[1:] + sentences[:1]
    else:
        clauses = _COMMA.split(sentences[-1])
        if len(clauses) >= 2 and len(clauses[-1].split()) <= words_in // 4:
            sentences[-1] = ", ".join(clauses[:-1]) + "."
    words, _ = _synonyms(" ".join(sentences).split(), rng, most=min(2, words_in // 4))
    out = " ".join(words)
    return out if out != text else None


def distinct_sms(limit: int, seed: int) -> list[str]:
    """SMS messages of five words or more, distinct after masking digits and at Jaccard 0.6."""
    import curate

    texts = [line.split("\t", 1)[1].strip() for line in _sms_lines()]
    frame = pd.DataFrame({"text": texts})
    frame = frame[frame["text"].str.split().str.len() >= 5]
    # Template messages (the same spam with other numbers) are one message, not negatives.
    frame["template"] = frame["text"].str.replace(r"\d+", "0", regex=True)
    frame = frame.drop_duplicates("template").reset_index(drop=True)
    kept = curate.dedup(frame, text_column="template", threshold=0.6).data
    texts = kept["text"].tolist()
    order = np.random.default_rng(seed).permutation(len(texts))[:limit]
    return [texts[i] for i in order]


def quality_set(rows: int, paraphrases: int, seed: int) -> tuple[list[str], set[tuple[int, int]]]:
    """The quality set's texts (distinct SMS, then paraphrases of some) and its true pairs."""
    rng = np.random.default_rng(seed)
    base = distinct_sms(rows - paraphrases, seed)
    made: list[tuple[int, str]] = []
    for i in rng.permutation(len(base)):
        new = paraphrase(base[i], rng)
        if new is not None:
            made.append((int(i), new))
        if len(made) == paraphrases:
            break
    texts = base + [t for _, t in made]
    truth = {(i, len(base) + k) for k, (i, _) in enumerate(made)}
    log.info("%d distinct SMS + %d paraphrases", len(base), len(made))
    return texts, truth


def precision_recall(
    vectors: np.ndarray, truth: set[tuple[int, int]], threshold: float = 0.83
) -> tuple[float, float]:
    """Precision and recall of the pairs found by the k-means search at ``threshold``."""
    from curate.duplicates import semantic
    from curate.duplicates.semantic import SemanticSettings, similar_pairs

    saved, semantic.BRUTE_FORCE_ROWS = semantic.BRUTE_FORCE_ROWS, 0
    try:
        pairs = similar_pairs(vectors, SemanticSettings(threshold=threshold))
    finally:
        semantic.BRUTE_FORCE_ROWS = saved
    got = set(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True))
    right = len(got & truth)
    return (right / len(got) if got else 1.0), right / len(truth)


def quality(
    rows: int, paraphrases: int, seed: int, precisions: list[str], cache: Path | None = None
) -> None:
    """Precision and recall of the pairs found, for each model precision (embedding time
    against the first), then the threshold sweep for the first."""
    from curate.duplicates.embed import resolved
    from curate.duplicates.semantic import SemanticSettings, embed
    from curate.engine import LocalEngine

    texts, truth = quality_set(rows, paraphrases, seed)
    print(
        f"quality: {len(texts):,} rows ({len(texts) - len(truth):,} distinct SMS +"
        f" {len(truth):,} paraphrases); load before {_load()}"
    )
    embedded: dict[str, np.ndarray] = {}
    first = 0.0
    for precision in precisions:
        settings = SemanticSettings(precision=precision)
        kept = cache.with_suffix(f".{precision}.npy") if cache is not None else None
        wall, cpu, child = time.perf_counter(), time.process_time(), _children_cpu()
        if kept is not None and kept.exists():
            vectors = np.load(kept)
        else:
            table = pa.table({"text": texts})
            vectors = embed([table], ("text",), settings, LocalEngine()).vectors
            if kept is not None:
                np.save(kept, vectors)
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu + _children_cpu() - child
        first = first or cpu
        p, r = precision_recall(vectors, truth)
        print(
            f"  {precision} ({resolved(precision)}): embedded in {wall:.0f} s wall, {cpu:.0f} CPU s"
            f" ({first / cpu:.2f}x the first); at 0.83 precision {p:.3f} recall {r:.3f}"
        )
        embedded[precision] = vectors
    vectors = embedded[precisions[0]]
    _sweep(vectors, truth)
    print(f"load after {_load()}")


def _sweep(vectors: np.ndarray, truth: set[tuple[int, int]]) -> None:
    from curate.duplicates import semantic
    from curate.duplicates.semantic import SemanticSettings, _compare, similar_pairs

    low = SemanticSettings(threshold=0.7)
    semantic.BRUTE_FORCE_ROWS = 0  # k-means even on this small set, to see what it misses
    found = similar_pairs(vectors, low)
    semantic.BRUTE_FORCE_ROWS = 4096
    brute = _compare(vectors, np.arange(len(vectors)), np.arange(len(vectors)), 0.7)
    print("threshold  pairs  right  false  precision  recall  (brute force: recall, pairs)")
    for threshold in (0.7, 0.75, 0.8, 0.82, 0.83, 0.84, 0.85, 0.86, 0.88, 0.9, 0.92, 0.95):
        line = []
        for pairs in (found, brute):
            keep = pairs.similarity >= threshold
            got = set(zip(pairs.left[keep].tolist(), pairs.right[keep].tolist(), strict=True))
            right = len(got & truth)
            line.append((len(got), right, right / len(got) if got else 1.0, right / len(truth)))
        (n, right, precision, recall), (bn, _, _, brecall) = line
        print(
            f"{threshold:9.2f} {n:6d} {right:6d} {n - right:6d} {precision:10.3f}"
            f" {recall:7.3f}   ({brecall:.3f}, {bn})"
        )


def speed_rows(total: int, seed: int) -> list[str]:
    """``total`` distinct rows of real SMS words: the start of one message joined to the rest
    of another, cut at the same fraction of each, so the rows keep the messages' lengths."""
    messages = [" ".join(line.split("\t", 1)[1].split()) for line in _sms_lines()]
    words = [m.split() for m in messages if m]
    rng = np.random.default_rng(seed + 1)
    rows: dict[str, None] = {}
    while len(rows) < total:
        first, second = rng.integers(len(words), size=2)
        cut = rng.random()
        a, b = words[first], words[second]
        row = " ".join(a[: round(cut * len(a))] + b[round(cut * len(b)) :])
        if row:
            rows[row] = None
    return list(rows)


def _sms_lines() -> list[str]:
    return SMS.read_text("utf-8").splitlines()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def speed(
    total: int, seed: int, precision: str, workers: int | None, cli: bool, keep: Path | None
) -> None:
    """Embedding and search of ``total`` distinct rows on the local engine, timed apart (wall
    and CPU seconds of this process and its workers), then, with ``cli``, the whole
    ``curate dedup --semantic`` command on the same rows (exact and MinHash first)."""
    from curate.duplicates.semantic import SemanticSettings, embed, find
    from curate.engine import LocalEngine

    rows = speed_rows(total, seed)
    settings = SemanticSettings(precision=precision)
    engine = LocalEngine(workers=workers)
    print(
        f"speed: {total:,} distinct rows, {engine.processes(costly=True)} worker processes,"
        f" precision {precision}; load before {_load()}"
    )
    wall, cpu, child = time.perf_counter(), time.process_time(), _children_cpu()
    embedded = embed([pa.table({"text": rows})], ("text",), settings, engine)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu + _children_cpu() - child
    print(
        f"  embedding: {wall:.0f} s wall ({total / wall:.0f} rows/s, model loads included),"
        f" {cpu:.0f} CPU s; load {_load()}"
    )
    if keep is not None:
        np.save(keep, embedded.vectors)
    search = time.perf_counter()
    found = find(embedded, settings)
    search = time.perf_counter() - search
    print(
        f"  search (k-means, cosine in the probed clusters): {search:.1f} s wall,"
        f" {len(found.pairs):,} pairs, {len(found.dropped):,} rows dropped; load {_load()}"
    )
    print(f"  embedding + search: {wall + search:.0f} s (target 300 s on 2 cores)")
    if not cli:
        return
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "rows.parquet"
        pd.DataFrame({"text": rows}).to_parquet(data)
        command = [sys.executable, "-m", "curate", "dedup", str(data), "--out",
                   str(Path(folder) / "out.parquet"), "--text-column", "text",
                   "--semantic", str(settings.threshold), "-q"]  # fmt: skip
        took = time.perf_counter()
        subprocess.run(command, check=True)
        took = time.perf_counter() - took
        print(f"  curate dedup --semantic {settings.threshold} (CLI, all steps): {took:.0f} s wall;"
              f" load {_load()}")  # fmt: skip


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=3000, help="rows in the quality set")
    parser.add_argument("--paraphrases", type=int, default=600)
    parser.add_argument(
        "--precisions", default="auto,float32", help="model precisions compared (first swept)"
    )
    parser.add_argument("--speed-rows", type=int, default=100_000, help="0: no speed run")
    parser.add_argument("--speed-precision", default="auto")
    parser.add_argument("--workers", type=int, help="local worker processes (default: cores)")
    parser.add_argument("--cli", action="store_true", help="also time curate dedup --semantic")
    parser.add_argument("--keep-vectors", type=Path, help="save the speed run's vectors (.npy)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, help="keep the quality set's vectors beside this")
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    args = parser.parse_args()
    if not args.speed_only:
        quality(args.rows, args.paraphrases, args.seed, args.precisions.split(","), args.cache)
    if args.quality_only or not args.speed_rows:
        return
    speed(
        args.speed_rows, args.seed, args.speed_precision, args.workers, args.cli, args.keep_vectors
    )


if __name__ == "__main__":
    main()

"""Duplicates by meaning (``dedup.semantic``): quality on paraphrases of real SMS, and speed.

    python benchmarks/semantic.py                     # quality on 3,000 rows, speed estimate
    python benchmarks/semantic.py --rows 1500 --speed-sample 300

**Quality.** The rows are SMS Spam messages (``../shared/data/sms_spam``), first deduplicated
exactly and by curate's MinHash near-dup defaults, so the rows left are distinct. From a
seeded sample of them a paraphrase is made (back-translation is unavailable offline): up to
three words swapped for synonyms from a small hand-written table (:data:`SYNONYMS`; no
packaged lexicon such as WordNet is installed), and, where the message has two or more clauses,
its clauses reordered or one short clause dropped. The data is the distinct rows plus the
paraphrases; a found pair is right when it joins a message and its own paraphrase, and false
otherwise (any pair of two distinct rows, or of a paraphrase and another row). Pairs come from
:func:`curate.duplicates.semantic.similar_pairs` (k-means, nearest clusters probed), and the
same vectors compared every pair with every pair (brute force) show what k-means costs.

**Speed.** 100,000 rows are paraphrase variants of the SMS rows (so their lengths are the
data's). Embedding dominates; its rate is measured on ``--speed-sample`` of those rows with
the pipeline's own map step, in wall-clock and in the process's CPU seconds (the second does
not depend on what else the shared machine runs); the search (k-means and cosine within
clusters) runs on 100,000 vectors made from the embedded ones (each a real vector plus a little
noise) and is timed in full.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
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

    texts = [line.split("\t", 1)[1].strip() for line in SMS.read_text("utf-8").splitlines()]
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
    rows: int, paraphrases: int, seed: int, cache: Path | None = None
) -> tuple[np.ndarray, list[str]]:
    from curate.duplicates import semantic
    from curate.duplicates.semantic import SemanticSettings, _compare, embed, similar_pairs
    from curate.engine import LocalEngine

    texts, truth = quality_set(rows, paraphrases, seed)
    settings = SemanticSettings()
    start = time.perf_counter()
    if cache is not None and cache.exists():
        vectors = np.load(cache)
    else:
        vectors = embed([pa.table({"text": texts})], ("text",), settings, LocalEngine()).vectors
        if cache is not None:
            np.save(cache, vectors)
    took = time.perf_counter() - start
    print(
        f"rows {len(texts):,} ({len(texts) - len(truth):,} distinct SMS + {len(truth):,}"
        f" paraphrases); embedded in {took:.0f} s (load {os.getloadavg()[0]:.1f})"
    )
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
    return vectors, texts


def speed(vectors: np.ndarray, texts: list[str], total: int, sample: int, seed: int) -> None:
    from curate.duplicates.embed import load_encoder, threads_per_worker
    from curate.duplicates.semantic import SemanticSettings, embed, similar_pairs
    from curate.engine import LocalEngine

    rng = np.random.default_rng(seed + 1)
    variants = []
    while len(variants) < sample:
        text = texts[int(rng.integers(len(texts)))]
        variants.append(paraphrase(text, rng) or text)
    settings = SemanticSettings()
    load_encoder(threads_per_worker(LocalEngine(workers=1)))  # loaded before the clock starts
    wall, cpu = time.perf_counter(), time.process_time()
    embed([pa.table({"text": variants})], ("text",), settings, LocalEngine(workers=1))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    load = os.getloadavg()[0]
    print(
        f"embedding {sample} rows: {sample / wall:.1f} rows/s wall ({wall:.0f} s, load {load:.1f}),"
        f" {sample / cpu:.1f} rows per CPU-second ({cpu:.0f} CPU s)"
    )
    picks = rng.integers(len(vectors), size=total)
    big = vectors[picks] + rng.normal(scale=0.02, size=(total, vectors.shape[1])).astype(np.float32)
    big /= np.linalg.norm(big, axis=1, keepdims=True)
    start = time.perf_counter()
    pairs = similar_pairs(big, settings)
    search = time.perf_counter() - start
    print(f"search over {total:,} vectors: {search:.0f} s wall ({len(pairs):,} pairs)")
    cores = 2
    print(
        f"estimate for {total:,} rows on {cores} idle cores: embedding"
        f" {total / (sample / cpu) / cores:.0f} s + search {search:.0f} s;"
        f" at this run's wall rate: {total / (sample / wall) + search:.0f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=3000, help="rows in the quality set")
    parser.add_argument("--paraphrases", type=int, default=600)
    parser.add_argument("--speed-rows", type=int, default=100_000)
    parser.add_argument("--speed-sample", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, help="keep the quality set's vectors in this .npy")
    parser.add_argument("--quality-only", action="store_true")
    args = parser.parse_args()
    vectors, texts = quality(args.rows, args.paraphrases, args.seed, args.cache)
    if args.quality_only:
        return
    speed(vectors, texts, args.speed_rows, args.speed_sample, args.seed)


if __name__ == "__main__":
    main()

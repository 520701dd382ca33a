"""PII speed on a busy machine: rows per CPU-second of curate's analyzer, as it was and as it
is, against Presidio's default ``AnalyzerEngine``, in one process.

Wall-clock ratios on a shared machine move with other jobs' load; CPU time moves far less
(``--clock wall`` times the wall clock instead).
Each system analyses the same slice in turn, three times; the fastest of the three counts
for each slice. "before" is today's analyzer with the two speed changes of this round
turned off (NER over all text, thinc's BLIS for its matrix products); "now" is the default.
One process, one core: ``benchmarks/pii.py`` measures wall clock and workers.

    PYTHONPATH=src python benchmarks/pii_speed.py --faker-rows 500
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections.abc import Callable, Sequence

from pii import PRESIDIO_CORPUS, load_presidio, load_presidio_default, make_faker


def seconds_taken(
    systems: dict[str, Callable[[Sequence[str]], object]],
    texts: Sequence[str],
    *,
    slices: int,
    clock: Callable[[], float],
) -> dict[str, float]:
    """Seconds each system needs for ``texts``: per slice the fastest of three turns."""
    total = dict.fromkeys(systems, 0.0)
    size = -(-len(texts) // slices)
    for k in range(slices):
        chunk = texts[k * size : (k + 1) * size]
        best = dict.fromkeys(systems, float("inf"))
        for _ in range(3):
            for name, analyse in systems.items():
                started = clock()
                analyse(chunk)
                best[name] = min(best[name], clock() - started)
        for name in systems:
            total[name] += best[name]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faker-rows", type=int, default=500)
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    from thinc.api import NumpyOps

    from curate.pii.analyzer import get_analyzer
    from curate.pii.settings import PiiParams

    presidio, _ = load_presidio_default()
    before = get_analyzer(PiiParams(ner_scope="all"))
    blis = NumpyOps()  # thinc's default ops: BLIS
    for node in before.nlp.get_pipe("ner").model.walk():
        node.ops = blis
    now = get_analyzer(PiiParams())
    systems = {"Presidio default": presidio, "before": before.analyze, "now": now.analyze}
    print(f"load: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    corpora = [load_presidio(PRESIDIO_CORPUS)]
    if args.faker_rows:
        corpora.append(make_faker(args.faker_rows, seed=13))
    for corpus in corpora:
        clock = time.process_time if args.clock == "cpu" else time.perf_counter
        seconds = seconds_taken(systems, corpus.texts, slices=args.slices, clock=clock)
        rate = {name: len(corpus.texts) / s for name, s in seconds.items()}
        base = rate["Presidio default"]
        print(
            f"{corpus.name}: rows per {args.clock} second "
            + ", ".join(f"{name} {r:.1f} ({r / base:.2f}x)" for name, r in rate.items())
            + f"; now / before {rate['now'] / rate['before']:.2f}"
        )
    print(f"load: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()

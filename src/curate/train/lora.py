"""LoRA fine-tuning with transformers and peft: sequence classification or a causal LM.

A plain, seeded PyTorch loop over transformers' collators and scheduler: evaluation on
validation after each epoch, early stopping on validation loss, and the best epoch's
adapter restored at the end. Same seed, data and recipe give the same weights.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from curate.errors import RecipeError
from curate.train.data import (
    CONTEXT,
    INSTRUCTION,
    LABEL,
    RESPONSE,
    TEXT,
    TrainingData,
)
from curate.train.progress import LossProgress
from curate.train.recipe import Recipe

if TYPE_CHECKING:
    from datasets import Dataset

log = logging.getLogger("curate.train")

IGNORE = -100


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


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """Keep transformers' load reports and datasets' bars out of curate's own progress output."""
    import datasets
    import transformers

    verbosity = transformers.logging.get_verbosity()
    bars = datasets.is_progress_bar_enabled()
    model_bars = transformers.logging.is_progress_bar_enabled()
    transformers.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    transformers.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    datasets.disable_progress_bars()
    try:
        with warnings.catch_warnings():
            # peft asks a transformers attribute that transformers 5 deprecates; not ours to fix.
            warnings.filterwarnings(
                "ignore", message=".*is_gradient_checkpointing", category=FutureWarning
            )
            yield
    finally:
        transformers.logging.set_verbosity(verbosity)
        if bars:
            datasets.enable_progress_bars()
        if model_bars:
            transformers.logging.enable_progress_bar()  # type: ignore[no-untyped-call]


def load_base(recipe: Recipe, *, labels: tuple[str, ...]) -> tuple[Any, Any]:
    """The base model wrapped with fresh LoRA adapters, and its tokenizer."""
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import (
        AutoModelForCausalLM,
        AutoModelForSequenceClassification,
        AutoTokenizer,
    )

    settings = recipe.model
    source = recipe.base_model_path()
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        if settings.task == "sequence-classification":
            model = AutoModelForSequenceClassification.from_pretrained(
                source,
                num_labels=len(labels),
                id2label=dict(enumerate(labels)),
                label2id={label: i for i, label in enumerate(labels)},
            )
            task_type = TaskType.SEQ_CLS
        else:
            model = AutoModelForCausalLM.from_pretrained(source)
            task_type = TaskType.CAUSAL_LM
    except OSError as exc:
        raise RecipeError(
            f"{recipe.path}: cannot load base model {settings.base_model.describe()}: "
            + str(exc).splitlines()[0]
        ) from exc
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token or tokenizer.sep_token
    if getattr(model.config, "pad_token_id", None) is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    lora = settings.lora
    config = LoraConfig(
        task_type=task_type,
        r=lora.rank,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=list(lora.target_modules),
    )
    try:
        peft_model = get_peft_model(model, config)
    except ValueError as exc:
        raise RecipeError(f"{recipe.path}: lora.target_modules: {exc}") from exc
    return peft_model, tokenizer


def tokenize(dataset: Dataset, tokenizer: Any, recipe: Recipe, labels: tuple[str, ...]) -> Dataset:
    """Model inputs and ``labels`` for one split, as lists the collator pads into tensors."""
    settings = recipe.model
    max_length = settings.training.max_length
    if settings.task == "sequence-classification":
        index = {label: i for i, label in enumerate(labels)}

        def encode(batch: dict[str, list[Any]]) -> dict[str, Any]:
            encoded = tokenizer(batch[TEXT], truncation=True, max_length=max_length)
            encoded["labels"] = [index[label] for label in batch[LABEL]]
            return dict(encoded)

    else:
        prompt = settings.prompt
        eos = tokenizer.eos_token_id
        if eos is None:
            eos = tokenizer.sep_token_id

        def encode(batch: dict[str, list[Any]]) -> dict[str, Any]:
            out: dict[str, list[list[int]]] = {"input_ids": [], "attention_mask": [], "labels": []}
            for instruction, context, response in zip(
                batch[INSTRUCTION], batch[CONTEXT], batch[RESPONSE], strict=True
            ):
                template = prompt.context_template if context else prompt.template
                head = tokenizer(template.format(instruction=instruction, context=context))[
                    "input_ids"
                ]
                tail = tokenizer(response, add_special_tokens=False)["input_ids"] + [eos]
                ids = (head + tail)[:max_length]
                target = ([IGNORE] * len(head) + tail)[:max_length]
                out["input_ids"].append(ids)
                out["attention_mask"].append([1] * len(ids))
                out["labels"].append(target)
            return out

    return dataset.map(encode, batched=True, remove_columns=dataset.column_names)


def _collator(tokenizer: Any, recipe: Recipe) -> Any:
    from transformers import DataCollatorForSeq2Seq, DataCollatorWithPadding

    if recipe.model.task == "sequence-classification":
        return DataCollatorWithPadding(tokenizer)
    return DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=IGNORE, padding=True)


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


@contextlib.contextmanager
def cpu_threads(count: int | None) -> Iterator[None]:
    """Run torch on ``count`` CPU threads (None: leave torch's default), then restore it."""
    before = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def fine_tune(data: TrainingData, recipe: Recipe) -> tuple[Trained, dict[str, Dataset]]:
    """Train LoRA adapters on ``data``'s train split; return the best epoch's model."""
    from peft import get_peft_model_state_dict, set_peft_model_state_dict
    from transformers import get_linear_schedule_with_warmup, set_seed

    settings = recipe.model.training
    with quiet_libraries():
        set_seed(settings.seed)
        model, tokenizer = load_base(recipe, labels=data.labels)
        tokenized = {
            name: tokenize(data.splits[name], tokenizer, recipe, data.labels)
            for name in data.splits
        }
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
        model=model, tokenizer=tokenizer, trainable_parameters=trainable, total_parameters=total
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

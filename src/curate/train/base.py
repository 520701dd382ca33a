"""Loading the base model with fresh LoRA adapters, and the library settings around it."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from curate.errors import RecipeError
from curate.train.recipe import Recipe, is_gguf


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


def base_model_folder(recipe: Recipe) -> str:
    """What ``from_pretrained`` loads: the recipe's model, a GGUF file dequantized (and cached)."""
    source = recipe.base_model_path()
    if is_gguf(source):
        from curate.train.gguf import dequantized

        return str(dequantized(Path(source)))
    return source


def load_base(recipe: Recipe, *, labels: tuple[str, ...]) -> tuple[Any, Any]:
    """The base model wrapped with fresh LoRA adapters, and its tokenizer."""
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import (
        AutoModelForCausalLM,
        AutoModelForSequenceClassification,
        AutoTokenizer,
    )

    settings = recipe.model
    source = base_model_folder(recipe)
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

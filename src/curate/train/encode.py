"""Splits as model inputs: token ids, labels (-100 where no loss), and what truncation cut."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from curate.errors import RecipeError
from curate.train.chat import IGNORE, ChatEncoder
from curate.train.data import CONTEXT, INSTRUCTION, LABEL, MESSAGES, RESPONSE, TEXT
from curate.train.recipe import Recipe

if TYPE_CHECKING:
    from datasets import Dataset

#: Per-row truncation figures the causal-lm encoders add, read into the record and dropped.
TRUNCATED, CUT = "_truncated", "_answer_tokens_cut"


def tokenize(dataset: Dataset, tokenizer: Any, recipe: Recipe, labels: tuple[str, ...]) -> Dataset:
    """Model inputs and ``labels`` for one split, as lists the collator pads into tensors."""
    return encode_split(dataset, tokenizer, recipe, labels)[0]


def encode_split(
    dataset: Dataset, tokenizer: Any, recipe: Recipe, labels: tuple[str, ...]
) -> tuple[Dataset, dict[str, Any] | None]:
    """One split encoded, with (causal-lm) how many rows ``max_length`` cut and by how much."""
    settings = recipe.model
    max_length = settings.training.max_length
    if settings.task == "sequence-classification":
        index = {label: i for i, label in enumerate(labels)}

        def classify(batch: dict[str, list[Any]]) -> dict[str, Any]:
            encoded = tokenizer(batch[TEXT], truncation=True, max_length=max_length)
            encoded["labels"] = [index[label] for label in batch[LABEL]]
            return dict(encoded)

        return dataset.map(classify, batched=True, remove_columns=dataset.column_names), None
    if MESSAGES in dataset.column_names:
        chat = ChatEncoder(tokenizer, max_length=max_length, recipe_path=recipe.path)

        def converse(batch: dict[str, list[Any]]) -> dict[str, Any]:
            out: dict[str, list[Any]] = {k: [] for k in ("input_ids", "labels", TRUNCATED, CUT)}
            for text in batch[MESSAGES]:
                encoded = chat.encode(json.loads(text))
                out["input_ids"].append(encoded.input_ids)
                out["labels"].append(encoded.labels)
                out[TRUNCATED].append(encoded.truncated)
                out[CUT].append(encoded.answer_tokens_cut)
            out["attention_mask"] = [[1] * len(ids) for ids in out["input_ids"]]
            return out

        encoded = dataset.map(converse, batched=True, remove_columns=dataset.column_names)
    else:
        encoded = dataset.map(
            _template_encoder(tokenizer, recipe),
            batched=True,
            remove_columns=dataset.column_names,
        )
    record = truncation_record(encoded, max_length=max_length)
    return encoded.remove_columns([TRUNCATED, CUT]), record


def _template_encoder(tokenizer: Any, recipe: Recipe) -> Any:
    """Instruction columns through the recipe's prompt templates; loss on the response."""
    prompt = recipe.model.prompt
    max_length = recipe.model.training.max_length
    eos = tokenizer.eos_token_id
    if eos is None:
        eos = tokenizer.sep_token_id

    def encode(batch: dict[str, list[Any]]) -> dict[str, Any]:
        out: dict[str, list[Any]] = {
            k: [] for k in ("input_ids", "attention_mask", "labels", TRUNCATED, CUT)
        }
        for instruction, context, response in zip(
            batch[INSTRUCTION], batch[CONTEXT], batch[RESPONSE], strict=True
        ):
            template = prompt.context_template if context else prompt.template
            head = tokenizer(template.format(instruction=instruction, context=context))["input_ids"]
            tail = tokenizer(response, add_special_tokens=False)["input_ids"] + [eos]
            ids = (head + tail)[:max_length]
            target = [IGNORE] * len(head) + tail
            out["input_ids"].append(ids)
            out["attention_mask"].append([1] * len(ids))
            out["labels"].append(target[:max_length])
            out[TRUNCATED].append(len(head) + len(tail) > max_length)
            out[CUT].append(sum(1 for t in target[max_length:] if t != IGNORE))
        return out

    return encode


def truncation_record(encoded: Dataset, *, max_length: int) -> dict[str, Any]:
    """How many rows were longer than ``max_length``, and how much answer that cut."""
    truncated = sum(bool(t) for t in encoded[TRUNCATED])
    rows = len(encoded)
    no_answer = sum(all(t == IGNORE for t in labels) for labels in encoded["labels"])
    return {
        "max_length": max_length,
        "rows": rows,
        "truncated_rows": truncated,
        "truncated_share": truncated / rows if rows else 0.0,
        "answer_tokens_cut": int(sum(encoded[CUT])),
        "rows_without_answer_tokens": no_answer,
    }


def with_answers(dataset: Dataset, *, recipe: Recipe) -> Dataset:
    """The rows that still have answer tokens after truncation: a batch of rows without any
    has no loss to learn from (its mean is NaN, which would spoil every weight)."""
    keep = [i for i, labels in enumerate(dataset["labels"]) if any(t != IGNORE for t in labels)]
    if not keep:
        raise RecipeError(
            f"{recipe.path}: training.max_length {recipe.model.training.max_length} leaves no "
            "answer tokens in any training row; raise it"
        )
    return dataset if len(keep) == len(dataset) else dataset.select(keep)


def collator(tokenizer: Any, recipe: Recipe) -> Any:
    from transformers import DataCollatorForSeq2Seq, DataCollatorWithPadding

    if recipe.model.task == "sequence-classification":
        return DataCollatorWithPadding(tokenizer)
    return DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=IGNORE, padding=True)

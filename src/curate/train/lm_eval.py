"""Evaluating a fine-tuned language model: answers, their scores, and forgetting.

The tuned model and its base are the same peft model with the adapter on and off, so
every figure is measured on both without loading anything twice: held-out loss, greedy
answers to held-out prompts scored by exact match (short answers) or ROUGE-L (longer
ones), and the loss on a general reference text, whose rise after fine-tuning is the
sign of catastrophic forgetting.
"""

from __future__ import annotations

import json
import logging
import re
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from curate.errors import RecipeError
from curate.shipped import shipped_dir
from curate.train.chat import ChatEncoder, prompt_and_answer
from curate.train.data import CONTEXT, INSTRUCTION, MESSAGES, RESPONSE
from curate.train.recipe import Recipe

if TYPE_CHECKING:
    from datasets import Dataset

log = logging.getLogger("curate.train")

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lower-cased alphanumeric tokens, as rouge-score's default tokenizer makes them."""
    return _WORD.findall(text.lower())


def exact_match(answer: str, reference: str) -> bool:
    """Equal once case, punctuation and spacing are set aside ("Spam." matches "spam")."""
    return words(answer) == words(reference)


def rouge_l(answer: str, reference: str) -> float:
    """ROUGE-L F1: the longest common subsequence of words against both lengths (Lin, 2004)."""
    a, r = words(answer), words(reference)
    if not a or not r:
        return float(a == r)
    previous = [0] * (len(r) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(r):
            current.append(previous[j] + 1 if token == other else max(previous[j + 1], current[j]))
        previous = current
    common = previous[-1]
    if common == 0:
        return 0.0
    precision, recall = common / len(a), common / len(r)
    return 2 * precision * recall / (precision + recall)


def choose_metric(references: Sequence[str], *, recipe: Recipe) -> str:
    """The recipe's metric, or for ``auto``: exact match where answers are a few words."""
    setting = recipe.model.evaluation
    if setting.generation_metric != "auto":
        return setting.generation_metric
    lengths = [len(words(r)) for r in references] or [0]
    return "exact_match" if statistics.median(lengths) <= setting.short_answer_words else "rouge_l"


def score(answers: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    pairs = list(zip(answers, references, strict=True))
    count = max(len(pairs), 1)
    return {
        "exact_match": sum(exact_match(a, r) for a, r in pairs) / count,
        "rouge_l": sum(rouge_l(a, r) for a, r in pairs) / count,
    }


def prompts(split: Dataset, tokenizer: Any, recipe: Recipe) -> tuple[list[list[int]], list[str]]:
    """The first ``generation_rows`` rows of a split as prompt tokens, and their reference answers."""
    rows = split.select(range(min(recipe.model.evaluation.generation_rows, len(split))))
    heads, references = [], []
    if MESSAGES in split.column_names:
        chat = ChatEncoder(
            tokenizer, max_length=recipe.model.training.max_length, recipe_path=recipe.path
        )
        for text in rows[MESSAGES]:
            turns, reference = prompt_and_answer(json.loads(text))
            rendered = chat.render(turns, open_answer=True)
            heads.append(tokenizer(rendered, add_special_tokens=False)["input_ids"])
            references.append(reference)
    else:
        prompt = recipe.model.prompt
        for instruction, context, response in zip(
            rows[INSTRUCTION], rows[CONTEXT], rows[RESPONSE], strict=True
        ):
            template = prompt.context_template if context else prompt.template
            rendered = template.format(instruction=instruction, context=context)
            heads.append(tokenizer(rendered)["input_ids"])
            references.append(response)
    return heads, references


@torch.no_grad()
def generate(
    model: Any, tokenizer: Any, heads: Sequence[list[int]], *, recipe: Recipe, batch_size: int = 8
) -> list[str]:
    """Greedy answers to each prompt (left-padded batches; prompts over max_length keep their end)."""
    model.eval()
    limit = recipe.model.training.max_length
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    answers = []
    for start in range(0, len(heads), batch_size):
        batch = [list(ids[-limit:]) for ids in heads[start : start + batch_size]]
        width = max(len(ids) for ids in batch)
        input_ids = torch.tensor([[pad] * (width - len(ids)) + ids for ids in batch])
        mask = torch.tensor([[0] * (width - len(ids)) + [1] * len(ids) for ids in batch])
        out = model.generate(
            input_ids=input_ids,
            attention_mask=mask,
            max_new_tokens=recipe.model.evaluation.max_new_tokens,
            do_sample=False,
            pad_token_id=pad,
            eos_token_id=tokenizer.eos_token_id,
        )
        answers += tokenizer.batch_decode(out[:, width:], skip_special_tokens=True)
    return [answer.strip() for answer in answers]


def reference_path(recipe: Recipe) -> Path | None:
    """The recipe's general reference text: beside the recipe, else under the shipped ``train/``."""
    name = recipe.model.evaluation.reference_text
    if name is None:
        return None
    candidates = [Path(name)]
    if recipe.folder is not None and not Path(name).is_absolute():
        candidates.append(recipe.folder / name)
    candidates.append(shipped_dir("train") / name)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise RecipeError(f"{recipe.path}: evaluation.reference_text {name} not found")


@torch.no_grad()
def text_loss(model: Any, tokenizer: Any, text: str, *, window: int) -> float:
    """Mean next-token loss over ``text``, read in windows of ``window`` tokens."""
    model.eval()
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    total, count = 0.0, 0
    for start in range(0, max(len(ids) - 1, 1), window):
        chunk = torch.tensor([ids[start : start + window]])
        if chunk.shape[1] < 2:
            break
        loss = model(input_ids=chunk, labels=chunk).loss
        total += float(loss) * (chunk.shape[1] - 1)
        count += chunk.shape[1] - 1
    return total / max(count, 1)


def forgetting(model: Any, tokenizer: Any, recipe: Recipe) -> dict[str, Any] | None:
    """The reference text's loss with the adapter off (base) and on (tuned), and the change."""
    path = reference_path(recipe)
    if path is None:
        return None
    text = path.read_text(encoding="utf-8")
    window = recipe.model.training.max_length
    with model.disable_adapter():
        before = text_loss(model, tokenizer, text, window=window)
    after = text_loss(model, tokenizer, text, window=window)
    change = (after - before) / before if before else 0.0
    tolerance = recipe.model.evaluation.forgetting_tolerance
    return {
        "reference": path.name,
        "tokens": len(tokenizer(text, add_special_tokens=False)["input_ids"]),
        "loss_before": before,
        "loss_after": after,
        "difference": after - before,
        "relative_change": change,
        "tolerance": tolerance,
        "forgetting": change > tolerance,
    }


def language_model_metrics(
    model: Any, tokenizer: Any, test: Dataset, *, recipe: Recipe
) -> dict[str, Any]:
    """Generation scores of the tuned and the base model on test rows, and forgetting."""
    heads, references = prompts(test, tokenizer, recipe)
    out: dict[str, Any] = {}
    if heads:
        tuned = generate(model, tokenizer, heads, recipe=recipe)
        with model.disable_adapter():
            base = generate(model, tokenizer, heads, recipe=recipe)
        out["generation"] = {
            "metric": choose_metric(references, recipe=recipe),
            "rows": len(heads),
            "max_new_tokens": recipe.model.evaluation.max_new_tokens,
            "tuned": score(tuned, references),
            "base": score(base, references),
        }
        log.info(
            "generation on %d test rows: %s %.3f tuned, %.3f base",
            len(heads),
            out["generation"]["metric"],
            out["generation"]["tuned"][out["generation"]["metric"]],
            out["generation"]["base"][out["generation"]["metric"]],
        )
    check = forgetting(model, tokenizer, recipe)
    if check is not None:
        out["forgetting"] = check
        log.log(
            logging.WARNING if check["forgetting"] else logging.INFO,
            "general reference text loss %.4f before, %.4f after fine-tuning (%+.1f%%)",
            check["loss_before"],
            check["loss_after"],
            100 * check["relative_change"],
        )
    return out

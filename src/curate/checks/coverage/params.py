"""The ``coverage`` check's parameters: one section per part, each of which can be disabled."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from curate.checks.base import Params
from curate.checks.coverage.tokens import PACKAGED


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True


class TextParams(_Part):
    recipe: str | None = Field(
        default=None,
        description="a training recipe (train/*.yaml): its base model's tokenizer and "
        "training.max_length replace tokenizer and max_tokens",
    )
    tokenizer: str | None = Field(
        default=PACKAGED,
        description="tokenizer training will use: all-MiniLM-L6-v2 (packaged), a folder with "
        "tokenizer.json, or an installed model name; null for no token counts",
    )
    max_tokens: int | None = Field(
        default=128, ge=1, description="training's maximum length; longer texts count as truncated"
    )
    near_empty_chars: int = Field(
        default=3, ge=1, description="texts shorter than this are near-empty"
    )
    languages: bool = True
    language_min_chars: int = Field(
        default=20, ge=0, description="shorter texts get language 'und'"
    )
    language_min_confidence: float = Field(default=0.5, ge=0, le=1)
    language_sample: int | None = Field(
        default=20_000,
        ge=100,
        description="rows whose language is identified (a seeded random sample; null for all)",
    )


class LabelBalanceParams(_Part):
    min_train_rows: int = Field(default=50, ge=0, description="rows a class needs to be learned")
    min_eval_rows: int = Field(default=10, ge=0, description="rows a class needs in an eval split")


class SufficiencyParams(_Part):
    """Enough data? Defaults follow the usual fine-tuning guidance (see sufficiency.py)."""

    try_rows: int = Field(default=1000, ge=1, description="rows enough to try an idea")
    production_rows: int = Field(
        default=10_000, ge=1, description="rows enough for a production model"
    )
    class_try_rows: int = Field(default=100, ge=1, description="rows each class needs to try")
    class_production_rows: int = Field(
        default=1000, ge=1, description="rows each class needs for a production model"
    )
    slice_rows: int = Field(
        default=100,
        ge=1,
        description="rows each sensitive group and slices.columns value needs",
    )


class SliceParams(_Part):
    columns: tuple[str, ...] = Field(
        default=(), description="category columns to cross with the label and sensitive columns"
    )
    min_rows: int = Field(default=30, ge=1, description="cells with fewer rows are gaps")
    max_cells: int = Field(default=5000, ge=1)


class TopicParams(_Part):
    column: str | None = Field(
        default=None, description="text column to embed (default: the first)"
    )
    sample: int = Field(default=1000, ge=20, description="texts embedded at most")
    clusters: int = Field(default=8, ge=2, le=100)
    terms: int = Field(default=6, ge=1, le=30)
    min_term_docs: int = Field(default=5, ge=2, description="a term must occur in this many texts")
    max_tokens: int = Field(default=64, ge=8, le=512, description="tokens of each text embedded")
    max_train_ratio: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="a topic whose share of train rows is at most this fraction of train's share "
        "of the sample counts as missing from train",
    )
    min_eval_rows: int = Field(default=5, ge=1)
    seed: int = 0


class DriftParams(_Part):
    reference: str = Field(default="train", description="the split others are compared with")
    bins: int = Field(default=10, ge=2, le=100)
    top_values: int = Field(default=20, ge=1)
    psi: float = Field(default=0.1, ge=0, description="PSI above this counts a feature as drifted")


class InstructionParams(_Part):
    instruction: str | None = None
    context: str | None = None
    response: str | None = None
    category: str | None = None
    min_category_rows: int = Field(default=20, ge=1)


class ChatParams(_Part):
    """Chat and instruction rows (recognised by their shape; see curate.io.chat)."""

    tokenizer: str | None = Field(
        default=None,
        description="tokenizer whose chat template measures each conversation (a folder, an "
        "installed model or a .gguf file); default: text.tokenizer (or the recipe's), counting "
        "plain tokens when it has no chat template",
    )
    max_length: int | None = Field(
        default=None,
        ge=1,
        description="what training truncates at; default the recipe's training.max_length, else 2048",
    )
    min_category_rows: int = Field(default=20, ge=1)


class CoverageParams(Params):
    max_findings: int = 30
    top_values: int = Field(default=10, ge=1, le=100)
    bins: int = Field(default=20, ge=2, le=200)
    text: TextParams = Field(default_factory=TextParams)
    labels: LabelBalanceParams = Field(default_factory=LabelBalanceParams)
    slices: SliceParams = Field(default_factory=SliceParams)
    sufficiency: SufficiencyParams = Field(default_factory=SufficiencyParams)
    topics: TopicParams = Field(default_factory=TopicParams)
    drift: DriftParams = Field(default_factory=DriftParams)
    instruction: InstructionParams = Field(default_factory=InstructionParams)
    chat: ChatParams = Field(default_factory=ChatParams)

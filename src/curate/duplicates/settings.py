"""Dedup settings: text normalisation and MinHash/LSH parameters, validated up front."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from curate.io.chat import Compare

if TYPE_CHECKING:
    from curate.rules.loader import RuleSet

#: The seed every signature is made with unless a rules file or caller names another.
DEFAULT_SEED = 1_234_567


class Normalization(BaseModel):
    """How text is normalised before it is compared (exact and near alike)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nfkc: bool = Field(default=True, description="Unicode NFKC (ligatures, full-width forms)")
    lowercase: bool = Field(default=True, description="compare case-insensitively")
    whitespace: bool = Field(default=True, description="collapse runs of whitespace, trim ends")
    punctuation: bool = Field(default=False, description="drop punctuation and symbols")


class NearSettings(BaseModel):
    """MinHash LSH settings; LSH bands and rows follow from ``threshold`` and ``num_perm``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(default=0.8, gt=0.0, le=1.0, description="Jaccard similarity")
    shingle: Literal["word", "char"] = "word"
    shingle_size: int = Field(default=5, ge=1, le=64)
    num_perm: int = Field(default=128, ge=8, le=1024)
    seed: int = Field(default=DEFAULT_SEED, ge=0, lt=2**63)


#: Field-by-field score a pair of rows needs when several short columns are compared.
DEFAULT_FIELD_THRESHOLD = 0.86


class FieldSettings(BaseModel):
    """How rows of several named text columns are compared: joined into one text, or field
    by field (each column normalised and compared on its own tokens, the scores weighted)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    compare: Literal["auto", "joined", "fields"] = Field(
        default="auto", description="auto: fields for two or more short columns, else joined"
    )
    threshold: float = Field(
        default=DEFAULT_FIELD_THRESHOLD, gt=0.0, le=1.0, description="weighted field score"
    )
    #: Jaccard of the joined text's character 3-grams above which LSH proposes a pair.
    candidate_threshold: float = Field(default=0.4, gt=0.0, le=1.0)
    #: Numbers (tokens with a digit) that disagree in a field make a pair different.
    numbers_must_agree: bool = True
    #: One weight per column; None: each column's share of distinct values in the data.
    weights: tuple[float, ...] | None = None


class ContainmentSettings(BaseModel):
    """Evaluation rows found inside longer rows by their word n-grams (contamination)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    ngram: int = Field(default=13, ge=4, le=64, description="words per n-gram")
    #: Evaluation rows shorter than this (in words) are only matched as exact or near copies.
    min_words: int = Field(default=8, ge=2, le=64)
    #: Share of an evaluation row's distinct n-grams a row must hold to contain it.
    min_coverage: float = Field(default=0.5, gt=0.0, le=1.0)


class DedupSettings(BaseModel):
    """Everything that decides which rows are duplicates; recorded with every result."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    normalize: Normalization = Field(default_factory=Normalization)
    near: NearSettings = Field(default_factory=NearSettings)
    #: False for exact duplicates only.
    near_enabled: bool = True
    #: Pick shingles (and the field comparison) from the data; False keeps ``near`` as given.
    auto: bool = True
    fields: FieldSettings = Field(default_factory=FieldSettings)
    containment: ContainmentSettings = Field(default_factory=ContainmentSettings)
    #: Chat and instruction rows: compare what the user asked (``prompt``) or every user and
    #: assistant turn (``conversation``); the system prompt is never compared.
    turns: Compare = "prompt"
    #: What :func:`curate.duplicates.resolve.resolve` picked, in words (reported).
    picked: str = ""

    @property
    def by_words(self) -> bool:
        """Whether whitespace is handled by splitting into words (no collapsed text needed)."""
        return self.normalize.whitespace and self.near.shingle == "word"

    @property
    def by_fields(self) -> bool:
        return self.fields.compare == "fields"

    @property
    def verify_threshold(self) -> float:
        """What a candidate pair's verified similarity must reach."""
        return self.fields.threshold if self.by_fields else self.near.threshold


def settings_from_rules(rules: RuleSet) -> DedupSettings:
    """The settings of a rules file's ``dedup.near`` check (else ``dedup.cross_split``, else
    ``dedup.exact`` with the default near settings), so dedup drops what the audit counts."""
    by_id = {config.id: config.check.params for config in rules.checks}
    for check_id in ("dedup.near", "dedup.cross_split"):
        if check_id in by_id:
            found: DedupSettings = by_id[check_id].settings()
            return found.model_copy(update={"near_enabled": True})
    if "dedup.exact" in by_id:
        return DedupSettings(normalize=by_id["dedup.exact"].normalize)
    return DedupSettings()


def settings_from_options(
    *,
    base: DedupSettings | None = None,
    normalize: str | None = None,
    shingle: str | None = None,
    shingle_size: int | None = None,
    num_perm: int | None = None,
    seed: int | None = None,
    compare: Literal["auto", "joined", "fields"] | None = None,
    turns: Compare | None = None,
) -> DedupSettings:
    """Settings from command-line options; options not given keep ``base``'s values."""
    from curate.errors import UsageError

    base = base or DedupSettings()
    norm = base.normalize
    if normalize is not None:
        names = {n.strip() for n in normalize.split(",") if n.strip()} - {"none"}
        unknown = names - set(Normalization.model_fields)
        if unknown:
            known = ", ".join(Normalization.model_fields)
            raise UsageError(
                f"--normalize: unknown step(s) {', '.join(sorted(unknown))} (known: {known})"
            )
        norm = Normalization(**{field: field in names for field in Normalization.model_fields})
    given = {"shingle": shingle, "shingle_size": shingle_size, "num_perm": num_perm, "seed": seed}
    near = NearSettings.model_validate(
        {**base.near.model_dump(), **{k: v for k, v in given.items() if v is not None}}
    )
    update: dict[str, object] = {"normalize": norm, "near": near}
    if shingle is not None or shingle_size is not None:
        update["auto"] = False
    if compare is not None:
        update["fields"] = base.fields.model_copy(update={"compare": compare})
    if turns is not None:
        update["turns"] = turns
    return base.model_copy(update=update)

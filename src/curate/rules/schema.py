"""The rules file, declared as data: pydantic models that reject unknown keys."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from curate.io.options import ReadOptions
from curate.rules.required import WAIVABLE

Scalar = str | int | float | bool


class Target(BaseModel):
    """A label or prediction column, with the values that count as positive.

    ``positive`` lets a user audit data as it is: ``{column: score_text, positive: [Medium, High]}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: str
    positive: tuple[Scalar, ...] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        return {"column": value} if isinstance(value, str) else value

    @field_validator("positive", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, Scalar) else value


class Columns(BaseModel):
    """Which column plays which role; every field can also be set on the command line."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: tuple[str, ...] = ()
    label: Target | None = None
    id: str | None = None
    split: str | None = None
    sensitive: tuple[str, ...] = ()
    prediction: Target | None = None
    time: str | None = None
    #: a column of sampling weights (bias.sampling shows their effect)
    weight: str | None = None
    #: columns with one annotator's label each (bias.label compares their disagreement by group)
    annotators: tuple[str, ...] = ()
    #: Guess the roles left unnamed from the data's names, types and values (see rules/infer.py).
    infer: bool = True

    @field_validator("text", "sensitive", "annotators", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def named(self) -> dict[str, str]:
        """Every named column with the option that named it, for error messages."""
        found: dict[str, str] = {}
        for role in ("text", "sensitive"):
            for column in getattr(self, role):
                found.setdefault(column, role)
        for role in ("label", "prediction"):
            target = getattr(self, role)
            if target is not None:
                found.setdefault(target.column, role)
        for column in self.annotators:
            found.setdefault(column, "annotators")
        for role in ("id", "split", "time", "weight"):
            column = getattr(self, role)
            if column is not None:
                found.setdefault(column, role)
        return found

    def has(self, role: str) -> bool:
        return bool(getattr(self, role))

    def options(self) -> dict[str, Any]:
        """The column options as canonical JSON-native data (part of the fingerprint)."""
        return self.model_dump(mode="json", exclude_defaults=True, exclude={"infer"})


class RulesModel(BaseModel):
    """Top level of a rules file. ``checks`` maps check ids to their settings (validated per check)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    description: str | None = None
    read: ReadOptions = Field(default_factory=ReadOptions)
    columns: Columns = Field(default_factory=Columns)
    checks: dict[str, dict[str, Any] | None] = Field(default_factory=dict)
    #: Checks the gate requires that these rules do without, each with the reason why.
    waive: dict[str, str] = Field(default_factory=dict)

    @field_validator("waive")
    @classmethod
    def _known_waivers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, reason in value.items():
            if name not in WAIVABLE:
                raise ValueError(
                    f"'{name}' is not a check the gate requires (waivable: {', '.join(WAIVABLE)})"
                )
            if not reason.strip():
                raise ValueError(f"waiving '{name}' needs a reason")
        return value

"""How to read files whose layout the suffix does not tell: a rules file's ``read:`` section."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

Format = Literal["csv", "tsv", "jsonl", "json", "parquet"]


class ReadOptions(BaseModel):
    """Options for reading data as it is, without a preprocessing script.

    ``header`` names the columns of a file that has no header row; ``na_values`` adds
    markers of missing values (such as ``?``); ``skip_initial_space`` drops spaces after
    each delimiter (``a, b``); ``format`` reads files whatever their suffix;
    ``skip_rows`` drops that many lines before the header (or first row); ``comment`` drops
    every line that starts with that character (``|1x3 Cross validator`` in UCI files).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Format | None = None
    header: tuple[str, ...] | None = None
    delimiter: str | None = None
    na_values: tuple[str, ...] = ()
    skip_initial_space: bool = False
    skip_rows: int = Field(default=0, ge=0)
    comment: str | None = None

    @field_validator("delimiter", "comment")
    @classmethod
    def _one_character(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and len(value) != 1:
            raise ValueError(f"{info.field_name} must be one character")
        return value

    def options(self) -> dict[str, Any]:
        """Non-default options as JSON-native data (part of the dataset fingerprint)."""
        return self.model_dump(mode="json", exclude_defaults=True)


DEFAULT = ReadOptions()

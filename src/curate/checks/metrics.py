"""Typed check metrics: the contract between a check and the renderers that read it.

A check that a renderer reads declares a :class:`Metrics` model (``Check.metrics_model``) and
builds its metrics through it, so a misspelt or mistyped field fails at the check. The report
keeps the metrics as JSON (:meth:`Metrics.to_json` writes the keys in the order the check gave
them); a renderer reads them back with :func:`metrics_of`, which ignores keys the model does not
name, so a newer ``report.json`` never breaks an older renderer and an older one still renders.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic.functional_validators import ModelWrapValidatorHandler

if TYPE_CHECKING:
    from curate.checks.base import CheckResult

log = logging.getLogger(__name__)

#: A number as the check computed it: an int stays an int in the JSON, a float a float.
Number = int | float

#: Validation context of :func:`metrics_of`: keys the model does not name are dropped.
_READING = "reading"


class Metrics(BaseModel):
    """Base of every metrics model and of the parts nested in one."""

    model_config = ConfigDict(extra="forbid", validate_default=False)

    _order: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="wrap")
    @classmethod
    def _ordered(
        cls, data: Any, handler: ModelWrapValidatorHandler[Metrics], info: ValidationInfo
    ) -> Metrics:
        """Keep the order the keys came in; when reading a report, drop keys the model neither
        declares nor allows."""
        reading = bool(info.context and info.context.get(_READING))
        if isinstance(data, Mapping) and reading and cls.model_config.get("extra") == "forbid":
            data = {k: v for k, v in data.items() if k in cls.model_fields}
        made = handler(data)
        if isinstance(data, Mapping):
            kept = made.model_extra or {}
            made._order = tuple(k for k in data if k in cls.model_fields or k in kept)
        return made

    def to_json(self) -> dict[str, Any]:
        """The fields the check set (and keys a model that allows extra kept), in the order it
        set them (a field assigned later last), as JSON-native values."""
        later = [k for k in type(self).model_fields if k in self.model_fields_set]
        keys = [*self._order, *(k for k in later if k not in self._order)]
        return {key: _plain(getattr(self, key)) for key in keys}


def _plain(value: Any) -> Any:
    if isinstance(value, Metrics):
        return value.to_json()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


M = TypeVar("M", bound=Metrics)


def metrics_of(result: CheckResult, model: type[M]) -> M | None:
    """``result``'s metrics as ``model``; None for a check that did not run (skipped or
    error) or whose metrics lack what the model needs (a report from an older curate).

    A value of the wrong type raises ``ValidationError`` (a ``ValueError``): ``curate report``
    refuses such a report as edited (exit 2)."""
    from curate.checks.base import _REGISTRY, Status

    check = _REGISTRY.get(result.id)
    if check is not None and not (
        check.metrics_model is not None and issubclass(check.metrics_model, model)
    ):
        raise TypeError(f"check '{result.id}' does not produce {model.__name__}")
    if result.status in (Status.SKIPPED, Status.ERROR):
        return None
    try:
        return model.model_validate(result.metrics, context={_READING: True})
    except ValidationError as exc:
        if any(error["type"] != "missing" for error in exc.errors()):
            raise  # a value of a type curate never wrote: an edited report, not an older one
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        log.warning("%s: metrics do not match this curate (%s); not drawn", result.id, where)
        return None


def metric_value(metrics: Mapping[str, Any], name: str) -> float | None:
    """The number a rule's ``fail_if`` / ``warn_if`` names (None when absent or not a number)."""
    value = metrics.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value

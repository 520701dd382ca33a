"""Gated LoRA fine-tuning: ``curate.train(data, receipt=...)``.

Importing this package imports no torch: the gate runs before anything heavy loads.
The package is itself callable, so ``curate.train(...)`` works whether or not
``curate.train`` has been imported as a module.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from curate.train.gate import Admitted, open_gate
from curate.train.recipe import Recipe, default_recipe_path, load_recipe
from curate.train.run import TrainResult, train

__all__ = [
    "Admitted",
    "Recipe",
    "TrainResult",
    "default_recipe_path",
    "load_recipe",
    "open_gate",
    "train",
]


class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> TrainResult:
        return train(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

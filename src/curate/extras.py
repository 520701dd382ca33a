"""Optional packages: whether one is installed, and one up-front refusal naming its pip extra.

Every command asks before it reads any data, so a missing package is a single line
(exit 2) rather than an error in the middle of a run.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping

from curate.errors import MissingDependencyError

#: What ``curate scrub`` and the ``pii`` check import, and the extra that installs it.
PII_PACKAGES = {"presidio_analyzer": "pii", "presidio_anonymizer": "pii", "spacy": "pii"}
#: What dedup clusters rows with.
DEDUP_PACKAGES = {"scipy": "dedup"}


def importable(module: str) -> bool:
    """Whether ``module`` can be imported, found without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require(packages: Mapping[str, str], *, feature: str) -> None:
    """Raise :class:`MissingDependencyError` for the first of ``packages`` (module -> extra)
    that is not installed."""
    for module, extra in packages.items():
        if not importable(module):
            raise MissingDependencyError(feature=feature, package=module, extra=extra)

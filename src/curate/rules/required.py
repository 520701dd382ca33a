"""The checks an audit must run (or its rules waive by name) for its gate to mean anything.

``schema``, ``dedup.exact`` and ``pii`` always; ``dedup.cross_split`` too where the data has
splits. The audit, ``curate rules validate`` and every receipt check use these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

ALWAYS = ("schema", "dedup.exact", "pii")
WITH_SPLITS = ("dedup.cross_split",)
WAIVABLE = (*ALWAYS, *WITH_SPLITS)
#: Statuses that show a check ran; ``fail`` and ``error`` also ran, but fail the gate anyway.
RAN = frozenset({"pass", "warn", "fail", "error"})


def required_checks(*, has_splits: bool) -> tuple[str, ...]:
    return (*ALWAYS, *WITH_SPLITS) if has_splits else ALWAYS


def unmet(
    *, has_splits: bool, configured: Iterable[str], waived: Mapping[str, str]
) -> tuple[str, ...]:
    """Required checks that are neither configured nor waived, in a stable order."""
    present = set(configured) | set(waived)
    return tuple(c for c in required_checks(has_splits=has_splits) if c not in present)


def how_to_waive(missing: Iterable[str]) -> str:
    names = list(missing)
    example = ", ".join(f"{name}: <reason>" for name in names)
    return (
        f"the gate requires checks {', '.join(names)}: add them under checks:, "
        f"or waive each by name with a reason (waive: {{{example}}})"
    )

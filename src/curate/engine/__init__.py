"""Engines run the map steps of checks: in this process or a process pool (local), or on Ray."""

from __future__ import annotations

from curate.engine.base import Engine, get_engine
from curate.engine.local import LocalEngine

__all__ = ["Engine", "LocalEngine", "get_engine"]

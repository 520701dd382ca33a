"""Reading data in every supported format, splits, fingerprints and atomic writes.

Only the light atomic-write helpers are re-exported here: importing ``curate.io`` (the command
line does, to check output paths) must not load pandas. Tables live in ``curate.io.table``.
"""

from __future__ import annotations

from curate.io.atomic import atomic_path, write_bytes, write_text

__all__ = ["atomic_path", "write_bytes", "write_text"]

"""``python -m curate``: the same as the ``curate`` command."""

from __future__ import annotations

import sys

from curate.cli import main

if __name__ == "__main__":
    sys.exit(main())

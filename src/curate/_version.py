"""curate's version: the one place it is written (pyproject.toml reads it from here).

A constant rather than ``importlib.metadata``: asking the installed metadata scans every
distribution and cost 45-70 ms of each command's start, the pre-commit hook's included.
"""

__version__ = "0.1.0"

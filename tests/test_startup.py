"""Start-up stays light: ``import curate`` and ``curate --help`` load no data libraries."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "pyarrow", "numpy", "presidio_analyzer", "spacy", "torch", "curate.checks")


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    return set(out.split())


def test_import_curate_loads_no_heavy_module() -> None:
    assert not _loaded_after("import curate") & set(HEAVY)


def test_help_loads_no_heavy_module() -> None:
    code = "from curate.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    assert not _loaded_after(code) & set(HEAVY)


def test_public_names_load_on_first_use() -> None:
    import curate
    import curate.auditing  # a submodule import must not shadow the function of that name

    assert curate.Status.PASS.value == "pass"
    assert callable(curate.audit) and callable(curate.scrub) and callable(curate.dedup)
    assert set(curate.__all__) <= set(dir(curate))

"""Start-up stays light: ``import curate`` and ``curate --help`` load no data libraries, and
``curate scrub --check`` (the pre-commit hook) loads no model for a file that needs none."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


#: What a pre-commit hook's ``scrub --check`` of a small file without a name must not load.
SCRUB_HEAVY = ("pandas", "pyarrow", "numpy", "presidio_analyzer", "presidio_anonymizer", "spacy")
SCRUB_HEAVY += ("torch", "transformers", "curate.pii.analyzer")


def _scrub_check_loads(path: Path, *, exit_code: int = 0) -> set[str]:
    code = (
        "from curate.cli import main\n"
        f"code = main(['scrub', {str(path)!r}, '--check'])\n"
        f"assert code == {exit_code}, code"
    )
    return _loaded_after(code)


def test_scrub_check_of_a_row_without_capitals_loads_no_heavy_module(tmp_path: Path) -> None:
    data = tmp_path / "notes.csv"
    data.write_text("id,text\n1,nothing personal here at all\n", encoding="utf-8")
    assert not _scrub_check_loads(data) & set(SCRUB_HEAVY)


def test_scrub_check_of_lower_case_chat_without_a_name_cue_loads_no_heavy_module(
    tmp_path: Path,
) -> None:
    data = tmp_path / "chat.jsonl"
    turns = [("user", "what does a sorted function return"), ("assistant", "a new sorted copy")]
    row = {"messages": [{"role": r, "content": c} for r, c in turns]}
    data.write_text(json.dumps(row) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    assert not _scrub_check_loads(data) & set(SCRUB_HEAVY)


def test_scrub_check_of_a_name_loads_the_model_but_nothing_it_does_not_use(
    tmp_path: Path,
) -> None:
    data = tmp_path / "notes.csv"
    data.write_text("id,text\n1,Call Maria Garcia tomorrow\n", encoding="utf-8")
    loaded = _scrub_check_loads(data, exit_code=1)
    assert {"spacy", "presidio_analyzer"} <= loaded
    unused = {"pandas", "pyarrow", "torch", "transformers", "presidio_anonymizer", "spacy.cli"}
    # The e-mail check's tldextract and detect-secrets both import an HTTP stack.
    unused |= {"tldextract", "detect_secrets", "requests"}
    assert not loaded & unused


def test_scrub_check_of_one_row_still_checks_e_mail_addresses_and_secrets(
    tmp_path: Path,
) -> None:
    data = tmp_path / "notes.csv"
    token = "ghp_" + "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx"
    data.write_text(
        f"id,text\n1,write to jane.doe@example.com today\n2,token {token} here\n"
        "3,write to jane.doe@example.invalidtld today\n",
        encoding="utf-8",
    )
    findings = tmp_path / "findings.jsonl"
    done = _program("scrub", str(data), "--check", "--findings", str(findings))
    assert done.returncode == 1, done.stderr
    found = [json.loads(line) for line in findings.read_text(encoding="utf-8").splitlines()]
    # The deferred suffix list still rejects a domain under no public suffix (row 3).
    assert [(f["row"], f["entity_type"]) for f in found] == [(0, "EMAIL_ADDRESS"), (1, "SECRET")]


def _program(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m curate ARGS``: the program, as a pre-commit hook runs it."""
    command = [sys.executable, "-m", "curate", *args]
    return subprocess.run(command, check=False, capture_output=True, text=True)


def test_the_program_ends_without_teardown_yet_writes_everything_and_keeps_its_exit_code(
    tmp_path: Path,
) -> None:
    data = tmp_path / "notes.csv"
    rows = "".join(f"{i},Call Maria Garcia on day {i}\n" for i in range(300))
    data.write_text("id,text\n" + rows, encoding="utf-8")
    findings = tmp_path / "findings.jsonl"
    done = _program("scrub", str(data), "--check", "--findings", str(findings))
    assert done.returncode == 1
    assert "personal data found: 300 values" in done.stderr
    assert done.stderr.endswith("then commit the baseline\n")  # the last line, flushed
    assert len(findings.read_text(encoding="utf-8").splitlines()) == 300
    fixed = tmp_path / "fixed.csv"
    assert _program("scrub", str(data), "--out", str(fixed)).returncode == 0
    assert "Maria" not in fixed.read_text(encoding="utf-8")
    assert _program("scrub", str(fixed), "--check").returncode == 0
    bad = _program("scrub", str(tmp_path / "missing.csv"), "--check")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_exit_functions_registered_during_a_command_still_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = (
        "import atexit, pathlib, sys\n"
        "from curate.cli import main\n"
        "from curate.commands import scrub\n"
        "run = scrub.scrub.callback\n"
        "def callback(*args, **kwargs):\n"
        f"    atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
        "    return run(*args, **kwargs)\n"
        "scrub.scrub.callback = callback\n"
        f"sys.argv = ['curate', 'scrub', {str(tmp_path / 'none.csv')!r}, '--check']\n"
        "sys.exit(main())"
    )
    (tmp_path / "none.csv").write_text("id,text\n1,nothing here\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "yes"


def test_spacy_imported_without_its_command_line_still_answers_info() -> None:
    code = (
        "from curate.pii.presidio_parts import presidio\n"
        "import sys\n"
        "spacy = presidio().spacy\n"
        "assert 'spacy.cli' not in sys.modules\n"
        "assert spacy.info()['spacy_version'] == spacy.__version__\n"
        "import spacy.cli\n"
        "assert callable(spacy.cli.download)"
    )
    assert "spacy.cli.info" in _loaded_after(code)


def test_only_the_program_skips_the_interpreter_teardown(tmp_path: Path) -> None:
    data = tmp_path / "none.csv"
    data.write_text("id,text\n1,nothing here\n", encoding="utf-8")

    def torn_down(call: str) -> bool:
        marker = tmp_path / "torn-down"
        marker.unlink(missing_ok=True)
        code = (
            "import pathlib, sys\n"
            "from curate.cli import main\n"
            "class Probe:\n"
            "    def __del__(self):\n"
            f"        pathlib.Path({str(marker)!r}).write_text('yes')\n"
            "probe = Probe()  # freed only when the interpreter tears its modules down\n"
            f"sys.argv = ['curate', 'scrub', {str(data)!r}, '--check']\n"
            f"sys.exit({call})"
        )
        done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True)
        assert done.returncode == 0, done.stderr
        return marker.exists()

    assert not torn_down("main()")  # the program
    assert torn_down("main(sys.argv[1:])")  # a library call: Python ends as usual

"""``curate audit`` on chat data with no options: the issue's 300 support conversations."""

from __future__ import annotations

import json
from pathlib import Path

from tests.chat_data import SYSTEM_PROMPT, support_rows, write_jsonl
from tests.conftest import RunCli


def test_audit_reads_chat_without_options(tmp_path: Path, run_cli: RunCli) -> None:
    data = write_jsonl(tmp_path / "train.jsonl", support_rows(300))
    result = run_cli("audit", data, "--out", tmp_path / "r", "-q")
    assert result.code in (0, 1), result.err
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    checks = {c["id"]: c for c in report["checks"]}
    for check in ("dedup.exact", "dedup.near", "pii", "coverage", "bias.selection"):
        assert checks[check]["status"] not in ("skipped", "error"), checks[check]["summary"]
    assert checks["dedup.near"]["metrics"]["duplicate_rate"] == 0.0
    assert "chat" in checks["coverage"]["metrics"]
    inferred = {g["role"]: g for g in report["inferred"]["columns"]}
    assert inferred["chat"]["column"] == "messages"
    assert inferred["text"]["column"] == "messages"
    assert "user asked" in inferred["text"]["reason"]
    pii_columns = {f["column"] for f in checks["pii"]["findings"]}
    assert pii_columns and all(c.startswith("messages[") for c in pii_columns), pii_columns
    written = "".join(p.read_text() for p in (tmp_path / "r").iterdir() if p.is_file())
    assert SYSTEM_PROMPT[:60] not in written

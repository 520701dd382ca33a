"""Secrets as the PII entity ``SECRET``: found, masked, reported without their values."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest

from curate.pii.scan import masked
from curate.pii.secrets import could_hold_secret, find_secrets
from curate.pii.settings import DEFAULT_ENTITIES
from tests.conftest import WAIVE_REQUIRED, RunCli

ALNUM = string.ascii_letters + string.digits
_rng = random.Random(15)


def draw(n: int, charset: str = ALNUM) -> str:
    return "".join(_rng.choice(charset) for _ in range(n))


def pem(label: str) -> str:
    body = draw(64 * 6 + 20, ALNUM + "+/")
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {label}-----\n{lines}=\n-----END {label}-----"


# Built at run time (prefixes split) so no file in the repository holds a token-shaped string.
PASSWORD = "Tr0ub4dor&3x!" + draw(4)
#: kind: (text, the secret in it)
CASES: dict[str, tuple[str, str]] = {}
for kind, template, value in [
    ("aws_key_id", "Deploy with {} today.", "AK" + "IA" + draw(16, string.ascii_uppercase + "27")),
    ("aws_secret", "aws_secret_access_key = {}", draw(40, ALNUM + "+/")),
    ("github", "my token is '{}', rotate it", "gh" + "p_" + draw(36)),
    ("github_pat", "GH_TOKEN={}", "github" + "_pat_" + draw(22) + "_" + draw(59)),
    (
        "slack",
        "bot: {}.",
        f"xo{'xb'}-{draw(12, string.digits)}-{draw(13, string.digits)}-{draw(24)}",
    ),
    ("stripe", "charge with ({})", "sk_" + "live_" + draw(99)),
    ("stripe_restricted", "{} is the restricted one", "rk_" + "live_" + draw(24)),
    ("google", "maps key: {}", "AI" + "za" + draw(35, ALNUM + "-_")),
    ("private_key", "here:\n{}\nthanks", pem("RSA PRIVATE KEY")),
    ("openssh_key", '{{"key": "{}"}}', pem("OPENSSH PRIVATE KEY")),
    ("url_password", "DATABASE_URL=postgres://admin:{}@db.internal:5432/app", PASSWORD),
    ("high_entropy", "the API secret\n\n{}", draw(32, ALNUM)),
]:
    CASES[kind] = (template.format(value), value)

NOT_SECRETS = [
    "Go until jurong point, crazy.. Available only in bugis n great world la e buffet...",
    "Internationalization and antidisestablishmentarianism are long words.",
    "See https://example.com/docs/getting-started?utm_source=newsletter for details.",
    "Commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixed the build.",
    "Request id 123e4567-e89b-12d3-a456-426614174000 failed at 10:42.",
    "Call 09061701461. Claim code KL341. Valid 12 hours only.",
    "The password reset link expires in 24 hours.",
    "Mail me at maria.garcia@example.com or visit http://localhost:8080/admin",
    "Saved under Backups/Projects2024/ClientFiles/Q3Reports/Final as usual.",
]


def covered(text: str, value: str) -> bool:
    start = text.index(value)
    spans = find_secrets(text)
    return all(any(s.start <= i < s.end for s in spans) for i in range(start, start + len(value)))


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_kind_of_secret_is_found_whole(kind: str) -> None:
    text, value = CASES[kind]
    assert could_hold_secret(text)
    assert covered(text, value)


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_prose_ids_hashes_and_plain_urls_are_not_secrets(text: str) -> None:
    assert find_secrets(text) == []


def test_a_url_password_is_found_without_its_user_and_host() -> None:
    text, value = CASES["url_password"]
    (span,) = find_secrets(text)
    assert text[span.start : span.end] == value


def test_a_cut_off_key_block_is_hidden_to_the_end_of_its_body() -> None:
    block = pem("EC PRIVATE KEY").rsplit("\n", 1)[0]  # no END line
    text = f"{block}\nsee you"
    (span,) = find_secrets(text)
    assert (span.start, text[span.end :]) == (0, "\nsee you")


def test_secret_is_on_by_default_and_its_findings_show_nothing_of_it() -> None:
    assert "SECRET" in DEFAULT_ENTITIES
    assert masked(CASES["github"][1], "SECRET") == "***"


def _write_cases(path: Path) -> None:
    rows = [{"id": kind, "text": text} for kind, (text, _) in sorted(CASES.items())]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def no_values(*outputs: str) -> None:
    for output in outputs:
        for _, value in CASES.values():
            assert value not in output
            assert value[:12] not in output


def test_scrub_finds_and_masks_every_kind_with_default_rules(
    run_cli: RunCli, tmp_path: Path
) -> None:
    data = tmp_path / "notes.jsonl"
    _write_cases(data)
    findings = tmp_path / "findings.jsonl"
    check = run_cli("scrub", data, "--check", "--findings", findings)
    assert check.code == 1
    assert f"SECRET: {len(CASES)} values in {len(CASES)} rows" in check.err
    rows = [json.loads(line) for line in findings.read_text().splitlines()]
    assert sorted(r["row"] for r in rows if r["entity_type"] == "SECRET") == list(range(len(CASES)))

    out = tmp_path / "clean.jsonl"
    scrubbed = run_cli("scrub", data, "--out", out)
    assert scrubbed.code == 0, scrubbed.err
    text = out.read_text()
    assert text.count("<SECRET>") == len(CASES)
    no_values(check.out, check.err, findings.read_text(), scrubbed.out, scrubbed.err, text)


def test_secrets_take_the_operator_the_rules_name(run_cli: RunCli, tmp_path: Path) -> None:
    data = tmp_path / "notes.jsonl"
    _write_cases(data)
    rules = tmp_path / "rules.yaml"
    rules.write_text("checks:\n  pii:\n    entities: [SECRET]\n    operators: {SECRET: mask}\n")
    out = tmp_path / "clean.jsonl"
    assert run_cli("scrub", data, "--out", out, "--rules", rules).code == 0
    rows = {r["id"]: r["text"] for r in map(json.loads, out.read_text().splitlines())}
    assert rows["github"] == "my token is '" + "*" * 40 + "', rotate it"
    no_values(out.read_text())


def test_a_baseline_accepts_a_known_secret_and_not_a_new_one(
    run_cli: RunCli, tmp_path: Path
) -> None:
    data = tmp_path / "notes.jsonl"
    data.write_text(json.dumps({"text": CASES["github"][0]}) + "\n")
    baseline = tmp_path / ".curate-pii-baseline.json"
    rules = tmp_path / "rules.yaml"
    rules.write_text("checks:\n  pii:\n    entities: [SECRET]\n")
    args = ("scrub", data, "--check", "--rules", rules, "--baseline", baseline)
    assert run_cli(*args, "--update-baseline").code == 0
    assert run_cli(*args).code == 0
    with data.open("a") as f:
        f.write(json.dumps({"text": CASES["google"][0]}) + "\n")
    again = run_cli("--verbose", *args)  # debug logging names no value either
    assert again.code == 1
    assert "row 1, column text: SECRET" in again.err
    no_values(baseline.read_text(), again.out, again.err)


def test_audit_reports_secrets_masked(run_cli: RunCli, tmp_path: Path) -> None:
    data = tmp_path / "notes.jsonl"
    _write_cases(data)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "columns: {id: id, text: text}\nchecks:\n  pii:\n    entities: [SECRET]\n"
        '    max_findings: 50\n    fail_if: {rows.SECRET: "> 0"}\n' + WAIVE_REQUIRED
    )
    out = tmp_path / "report"
    result = run_cli("audit", data, "--rules", rules, "--out", out)
    assert result.code == 1
    check = next(
        c for c in json.loads((out / "report.json").read_text())["checks"] if c["id"] == "pii"
    )
    assert check["metrics"]["rows.SECRET"] == len(CASES)
    assert {f["masked"] for f in check["findings"]} == {"***"}
    no_values(
        result.out,
        result.err,
        *((out / n).read_text() for n in ("report.json", "report.html", "report.md")),
    )

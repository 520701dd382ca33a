from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from curate.io.documents import open_document
from curate.io.frame_documents import FrameDocument
from curate.pii.columns import judge_columns
from curate.pii.evidence import name_words, named_entity
from curate.pii.settings import PiiParams
from tests.conftest import SHARED_DATA, RunCli

FIRST = ["miguel", "kevon", "ed", "marcu", "bouthy", "marsha", "edward", "steven", "elizabeth"]
LAST = ["hernandez", "dixon", "philo", "brown", "pierrelouis", "miles", "riddle", "lopez", "thieme"]
CHARGES = [
    "Felony Battery w/Prior Convict",
    "Aggravated Assault w/Firearm",
    "Possession of Cocaine",
    "Grand Theft in the 3rd Degree",
    "Driving While License Revoked",
    "Battery",
    "Petit Theft",
]
PERSON_COLUMNS = {"name", "first", "last", "dob"}


def compas_like(rows: int = 60) -> pd.DataFrame:
    """COMPAS's shape: lower-case names, dates of birth, event dates, charge descriptions."""
    out = []
    for i in range(rows):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 5 + 2) % len(LAST)]
        out.append(
            {
                "id": str(i + 1),
                "name": f"{first} {last}",
                "first": first,
                "last": last,
                "compas_screening_date": f"2013-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "sex": ["Male", "Female"][i % 2],
                "dob": f"19{50 + i % 45}-{1 + i % 12:02d}-{1 + (i * 7) % 28:02d}",
                "race": ["African-American", "Caucasian", "Hispanic", "Other"][i % 4],
                "c_jail_in": f"2013-{1 + i % 12:02d}-{1 + i % 28:02d} 0{i % 10}:03:42",
                "c_case_number": f"13{11352 + i * 37:06d}CF10A",
                "c_charge_desc": CHARGES[i % len(CHARGES)],
                "r_offense_date": "" if i % 3 else f"2014-{1 + i % 12:02d}-05",
                "decile_score": str(1 + i % 10),
            }
        )
    return pd.DataFrame(out)


@pytest.fixture
def compas_csv(tmp_path: Path) -> Path:
    path = tmp_path / "compas.csv"
    compas_like().to_csv(path, index=False)
    return path


def cells(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def changed_columns(before: Path, after: Path) -> dict[str, int]:
    """Per column, how many data cells differ (headers and row counts must match)."""
    old, new = cells(before), cells(after)
    assert old[0] == new[0] and len(old) == len(new)
    changed: dict[str, int] = {}
    for row_old, row_new in zip(old[1:], new[1:], strict=True):
        for header, a, b in zip(old[0], row_old, row_new, strict=True):
            if a != b:
                changed[header] = changed.get(header, 0) + 1
    return changed


def test_column_names_split_into_words_and_entities() -> None:
    assert name_words("dateOfBirth") == ("dateofbirth",)
    assert name_words("Customer_First-Name") == ("customer", "firstname")
    assert name_words("EMail") == ("email",)
    assert named_entity("dob") == ("DATE_OF_BIRTH", False)
    assert named_entity("first") == ("PERSON", False)
    assert named_entity("patient_name") == ("PERSON", True)
    assert named_entity("product_name") == (None, False)
    assert named_entity("first_seen") == (None, False)
    assert named_entity("c_charge_desc") == (None, False)
    assert named_entity("compas_screening_date") == (None, False)
    assert named_entity("phoneNumber") == ("PHONE_NUMBER", False)


def test_compas_like_table_judged_by_column() -> None:
    judged = judge_columns(FrameDocument(compas_like()).cells(skip=frozenset()), PiiParams())
    wholly = {c: j.entity_type for c, j in judged.items() if j.verdict == "pii"}
    assert wholly == {"name": "PERSON", "first": "PERSON", "last": "PERSON", "dob": "DATE_OF_BIRTH"}
    assert judged["c_charge_desc"].verdict == "not_pii"
    assert judged["compas_screening_date"].verdict == "not_pii"
    assert "dates of birth" in judged["compas_screening_date"].reason
    assert judged["c_jail_in"].verdict == "not_pii"
    for judgement in judged.values():
        for value in ("miguel", "hernandez", "Felony", "1950"):
            assert value not in judgement.reason


def test_scrub_anonymizes_judged_columns_whole_and_keeps_the_rest(
    run_cli: RunCli, compas_csv: Path, tmp_path: Path
) -> None:
    findings = tmp_path / "findings.jsonl"
    checked = run_cli("scrub", compas_csv, "--check", "--findings", findings)
    assert checked.code == 1
    assert "column 'dob' is wholly DATE_OF_BIRTH" in checked.err
    assert "Felony" not in checked.err and "miguel" not in checked.err
    rows = [json.loads(line) for line in findings.read_text().splitlines()]
    assert {r["column"] for r in rows} == PERSON_COLUMNS
    assert len(rows) == 4 * 60
    assert "miguel" not in findings.read_text()

    out = tmp_path / "scrubbed.csv"
    assert run_cli("scrub", compas_csv, "--out", out).code == 0
    assert changed_columns(compas_csv, out) == dict.fromkeys(PERSON_COLUMNS, 60)
    scrubbed = cells(out)
    assert scrubbed[1][1:4] == ["<PERSON>"] * 3
    assert scrubbed[1][6] == "<DATE_OF_BIRTH>"


def test_free_text_columns_keep_per_cell_detection(tmp_path: Path) -> None:
    frame = compas_like(30)
    frame["note"] = [
        f"Case {i}: Maria Garcia called about the hearing on the {i}th, wants a new date"
        for i in range(30)
    ]
    from curate.pii.scrub import scrub

    result = scrub(frame)
    assert result.files[0].frame is not None
    notes = result.files[0].frame["note"].tolist()
    assert all(n.startswith("Case ") and "Maria Garcia" not in n for n in notes)
    assert all("<PERSON>" in n for n in notes)
    assert {j.column for j in result.files[0].columns} == PERSON_COLUMNS


def test_rules_override_the_judgement(run_cli: RunCli, compas_csv: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "checks:\n  pii:\n    columns: {first: not_pii, c_case_number: pii, race: NRP}\n"
    )
    out = tmp_path / "scrubbed.csv"
    assert run_cli("scrub", compas_csv, "--out", out, "--rules", rules).code == 0
    assert changed_columns(compas_csv, out) == {
        "name": 60,
        "last": 60,
        "dob": 60,
        "c_case_number": 60,
        "race": 60,
    }
    assert cells(out)[1][9] == "<PII>"
    assert cells(out)[1][7] == "<NRP>"

    off = tmp_path / "off.yaml"
    off.write_text("checks:\n  pii:\n    judge_columns: false\n    columns: {first: pii}\n")
    judged = judge_columns(
        FrameDocument(compas_like()).cells(skip=frozenset()),
        PiiParams.model_validate({"judge_columns": False, "columns": {"first": "pii"}}),
    )
    assert {c: j.entity_type for c, j in judged.items()} == {"first": "PERSON"}


def test_a_bad_column_rule_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        PiiParams.model_validate({"columns": {"first": "maybe"}})
    rules = tmp_path / "rules.yaml"
    rules.write_text("checks:\n  pii:\n    columns: {first: maybe}\n")
    result = run_cli("rules", "validate", rules)
    assert result.code == 2
    assert "columns" in result.err


def test_audit_reports_columns_judged_and_counts_their_cells(
    run_cli: RunCli, compas_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    run_cli("audit", compas_csv, "--out", out)
    report = json.loads((out / "report.json").read_text())
    check = next(c for c in report["checks"] if c["id"] == "pii")
    judged = check["metrics"]["columns_judged"]
    assert set(judged) == PERSON_COLUMNS
    assert judged["dob"].startswith("DATE_OF_BIRTH: its name says dates of birth")
    assert check["metrics"]["pii_cells"] == 4 * 60
    assert check["metrics"]["cells_by_column"] == dict.fromkeys(PERSON_COLUMNS, 60)
    # Other checks' profiles are redacted from columns_judged elsewhere; this one shows none.
    assert "miguel" not in json.dumps(check)


def test_real_compas_names_and_birth_dates_only(run_cli: RunCli, tmp_path: Path) -> None:
    source = SHARED_DATA / "compas" / "compas-scores-two-years.csv"
    assert source.is_file(), f"shared data missing: {source}"
    judged = judge_columns(open_document(source).cells(skip=frozenset()), PiiParams())
    assert {c for c, j in judged.items() if j.verdict == "pii"} == PERSON_COLUMNS
    charges = [c for c in judged if c.endswith("charge_desc")]
    assert charges and all(judged[c].verdict == "not_pii" for c in charges)
    dates = ["compas_screening_date", "c_jail_in", "c_offense_date", "screening_date"]
    assert all(judged[c].verdict == "not_pii" for c in dates)


@pytest.mark.parametrize("name", ["hatecheck/test_suite_cases.csv", "adult/adult.data"])
def test_real_tables_without_personal_columns(name: str) -> None:
    source = SHARED_DATA / name
    assert source.is_file(), f"shared data missing: {source}"
    if source.suffix == ".data":
        frame = pd.read_csv(source, header=None, skipinitialspace=True, dtype=str)
        frame.columns = [f"column_{i}" for i in range(frame.shape[1])]
        frame = frame.rename(columns={"column_8": "race", "column_13": "native-country"})
        document = FrameDocument(frame)
    else:
        document = open_document(source)
    judged = judge_columns(document.cells(skip=frozenset()), PiiParams())
    assert judged and not [c for c, j in judged.items() if j.verdict == "pii"]


def test_a_faker_table_judged_by_column() -> None:
    from faker import Faker

    rows = []
    for locale in ("en_US", "en_GB", "de_DE", "es_ES", "fr_FR", "hi_IN"):
        fake = Faker(locale)
        fake.seed_instance(7)
        for _ in range(30):
            rows.append(
                {
                    "Customer Name": fake.name(),
                    "surname": fake.last_name().lower(),
                    "col7": fake.name(),
                    "contact": fake.email(),
                    "Phone": fake.phone_number(),
                    "Date of Birth": fake.date_of_birth().strftime("%m/%d/%Y"),
                    "Street Address": fake.street_address(),
                    "brand": fake.company(),
                    "signup_date": str(fake.date_this_decade()),
                    "comment": fake.sentence(nb_words=12),
                    "status": fake.random_element(["active", "closed", "pending"]),
                    "Postcode": fake.postcode(),
                }
            )
    judged = judge_columns(FrameDocument(pd.DataFrame(rows)).cells(skip=frozenset()), PiiParams())
    assert {c: j.entity_type for c, j in judged.items() if j.verdict == "pii"} == {
        "Customer Name": "PERSON",
        "surname": "PERSON",
        "col7": "PERSON",
        "contact": "EMAIL_ADDRESS",
        "Phone": "PHONE_NUMBER",
        "Date of Birth": "DATE_OF_BIRTH",
        "Street Address": "LOCATION",
    }
    assert judged["comment"].verdict == "text"
    assert judged["signup_date"].verdict == judged["status"].verdict == "not_pii"


def test_names_a_gazetteer_misses_count_where_the_column_name_is_clear() -> None:
    names = ["okafor", "adeyemi", "chukwuemeka", "oluwaseun", "tshabalala", "mbeki", "tanaka"]
    frame = pd.DataFrame({"surname": names * 10, "handle": names * 10})
    judged = judge_columns(FrameDocument(frame).cells(skip=frozenset()), PiiParams())
    assert judged["surname"].entity_type == "PERSON"
    assert "known names" in judged["surname"].reason
    assert judged["handle"].verdict == "not_pii"


def test_a_sentence_among_categories_is_still_read() -> None:
    from curate.pii.scrub import scrub

    answers = ["yes", "no", "no", "yes", "not sure"] * 17
    answers += ["Maria Garcia from accounts called me yesterday about the refund, twice"] * 3
    result = scrub(pd.DataFrame({"answer": answers}))
    judged = judge_columns(
        FrameDocument(pd.DataFrame({"answer": answers})).cells(skip=frozenset()), PiiParams()
    )
    assert judged["answer"].verdict == "not_pii"
    assert result.files[0].frame is not None
    out = result.files[0].frame["answer"].tolist()
    assert out[:85] == answers[:85]
    assert all("Maria Garcia" not in a and "<PERSON>" in a for a in out[85:])


def test_only_the_entities_the_rules_look_for_are_judged() -> None:
    only_email = PiiParams(entities=("EMAIL_ADDRESS",))
    judged = judge_columns(FrameDocument(compas_like()).cells(skip=frozenset()), only_email)
    assert not [c for c, j in judged.items() if j.verdict == "pii"]
    no_dates = PiiParams(entities=("PERSON",))
    judged = judge_columns(FrameDocument(compas_like()).cells(skip=frozenset()), no_dates)
    assert {c for c, j in judged.items() if j.verdict == "pii"} == {"name", "first", "last"}


def test_json_lines_columns_are_judged_and_nested_values_read_as_text(
    run_cli: RunCli, tmp_path: Path
) -> None:
    data = tmp_path / "people.jsonl"
    frame = compas_like(40)
    records = [
        {"name": r["name"], "charge": r["c_charge_desc"], "meta": {"note": "Maria Garcia called"}}
        for r in frame.to_dict("records")
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "scrubbed.jsonl"
    assert run_cli("scrub", data, "--out", out).code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["name"] for r in rows} == {"<PERSON>"}
    assert [r["charge"] for r in rows] == [r["charge"] for r in records]
    assert {r["meta"]["note"] for r in rows} == {"<PERSON> called"}


def test_licence_and_passport_columns_when_the_rules_look_for_them() -> None:
    frame = pd.DataFrame(
        {
            "Driver's License": [f"D{4817263 + i * 7919}" for i in range(60)],
            "license": ["MIT", "Apache-2.0", "GPL-3.0", "BSD-3-Clause"] * 15,
            "passport_no": [str(531642987 + i * 104729) for i in range(60)],
            "D.O.B.": [f"1980-01-{1 + i % 28:02d}" for i in range(60)],
        }
    )
    cells = list(FrameDocument(frame).cells(skip=frozenset()))
    ids = PiiParams(entities=("DATE_TIME", "US_DRIVER_LICENSE", "US_PASSPORT"))
    judged = judge_columns(cells, ids)
    assert {c: j.entity_type for c, j in judged.items() if j.verdict == "pii"} == {
        "Driver's License": "US_DRIVER_LICENSE",
        "passport_no": "US_PASSPORT",
        "D.O.B.": "DATE_OF_BIRTH",
    }
    judged = judge_columns(cells, PiiParams(entities=("DATE_TIME",)))
    assert [c for c, j in judged.items() if j.verdict == "pii"] == ["D.O.B."]


def test_a_few_values_alone_do_not_make_an_unnamed_column_wholly_names(tmp_path: Path) -> None:
    """A one-row file (the pre-commit hook's usual case) keeps its sentence; only the name goes."""
    import curate

    source = tmp_path / "one.csv"
    source.write_text("id,text\n1,Call Maria Garcia tomorrow\n")
    out = tmp_path / "out.csv"
    curate.scrub([source], out=out)
    scrubbed = out.read_text()
    assert "Garcia" not in scrubbed
    assert "Call" in scrubbed and "tomorrow" in scrubbed

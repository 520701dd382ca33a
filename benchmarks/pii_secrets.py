"""Secrets as PII: recall on planted real-format secrets, findings on texts that hold none, cost.

- Recall: a labelled corpus of secrets in their real formats (AWS access key ids and secret
  keys, GitHub classic and fine-grained tokens, Slack tokens and webhooks, Stripe live keys,
  Google API keys, PEM private key blocks, passwords in URLs), drawn from each format's own
  charset and length, and planted in varied text: real SMS messages or Faker prose around
  them, config lines (env, YAML, JSON), log lines, Markdown code fences; lead-ins that name
  the kind, that say nothing, or none; quotes, brackets, trailing punctuation, line breaks.
  A secret counts as found when ``SECRET`` spans cover every letter and digit of it (a part
  left in the clear is a leak). The text the generator writes is never read back from the
  recognizer: it is fitted to the formats, not to the detector.
- Precision: the same full analyzer (curate's default rules, ``SECRET`` on) over every
  distinct SMS Spam and HateCheck text, which hold no secret: every ``SECRET`` span there is a
  false positive, listed by detector (never by value). Precision is also given over the
  planted corpus pooled with those texts.
- Cost: analyzer throughput with and without ``SECRET`` in the same run, on the same texts,
  in slices taken in turn, with a second analyzer without it as a control for noise; and
  the secret finder alone per text.

    python benchmarks/pii_secrets.py --per-kind 100 --seed 7
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import string
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from faker import Faker

from curate.pii.analyzer import PiiAnalyzer
from curate.pii.resolve import Span
from curate.pii.secrets import find_secrets
from curate.pii.settings import DEFAULT_ENTITIES, PiiParams

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SMS = DATA / "sms_spam" / "SMSSpamCollection"
HATECHECK = DATA / "hatecheck" / "test_suite_cases.csv"

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
BASE64 = ALNUM + "+/"


@dataclass(frozen=True)
class Planted:
    """A text, the secret whose recall is measured, and other secrets in it (not false
    positives, not counted in recall: the key id beside an AWS secret key)."""

    text: str
    kind: str
    start: int
    end: int
    others: tuple[tuple[int, int], ...] = ()

    def overlaps(self, start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in ((self.start, self.end), *self.others))


def _draw(rng: random.Random, n: int, charset: str) -> str:
    return "".join(rng.choice(charset) for _ in range(n))


def _pem(rng: random.Random) -> str:
    label = rng.choice(
        [
            *("RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "OPENSSH PRIVATE KEY"),
            *("ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY"),
        ]
    )
    width = 70 if label.startswith("OPENSSH") else 64
    body = _draw(rng, width * rng.randint(3, 25) + rng.randint(4, width - 4), BASE64)
    body = body[: len(body) - len(body) % 4] + rng.choice(["", "=", "=="])
    lines = [body[i : i + width] for i in range(0, len(body), width)]
    style = rng.random()
    newline = "\r\n" if style < 0.1 else "\n"
    block = f"-----BEGIN {label}-----{newline}" + newline.join(lines)
    if style > 0.9:  # cut off when pasted: no END line
        return block
    if 0.8 < style <= 0.9:  # pasted into a one-line field: line breaks became spaces
        return block.replace("\n", " ") + f" -----END {label}-----"
    return block + f"{newline}-----END {label}-----"


def _url_password(rng: random.Random, fake: Faker) -> tuple[str, str]:
    """(url, password): the password as it appears in the URL."""
    scheme = rng.choice(
        [
            *("postgres", "postgresql", "mysql", "mongodb", "mongodb+srv", "redis", "amqp"),
            *("https", "http", "ftp", "smtp", "sftp"),
        ]
    )
    user = rng.choice([fake.user_name(), "admin", "root", "deploy", fake.first_name().lower()])
    kind = rng.random()
    if kind < 0.4:
        password = fake.password(length=rng.randint(8, 24), special_chars=False)
    elif kind < 0.8:
        password = _draw(rng, rng.randint(8, 20), ALNUM + "!$*-_.~")
    else:  # reserved characters percent-encoded, as a URL needs them
        raw = fake.password(length=rng.randint(10, 18), special_chars=True)
        password = "".join(f"%{ord(c):02X}" if c in "@#/?:%" else c for c in raw)
    host = rng.choice([fake.domain_name(), f"db-{rng.randint(1, 9)}.internal", fake.ipv4()])
    port = rng.choice(["", f":{rng.choice([5432, 3306, 6379, 27017, 5672, 8080, 21])}"])
    path = rng.choice(["", "/", f"/{fake.word()}", f"/{fake.word()}?sslmode=require"])
    return f"{scheme}://{user}:{password}@{host}{port}{path}", password


#: Each kind: (name shown in lead-ins, environment-variable names, value maker).
Maker = Callable[[random.Random], str]
KINDS: dict[str, tuple[str, tuple[str, ...], Maker]] = {
    "aws_access_key_id": (
        "AWS access key",
        ("AWS_ACCESS_KEY_ID", "aws_access_key_id", "accessKeyId"),
        lambda r: r.choice(["AKIA", "ASIA"]) + _draw(r, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
    ),
    "aws_secret_access_key": (
        "AWS secret",
        ("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key", "secretAccessKey"),
        lambda r: _draw(r, 40, BASE64),
    ),
    "github_token": (
        "GitHub token",
        ("GITHUB_TOKEN", "GH_TOKEN", "github_token"),
        lambda r: r.choice(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]) + _draw(r, 36, ALNUM),
    ),
    "github_fine_grained": (
        "GitHub PAT",
        ("GITHUB_PAT", "GH_TOKEN"),
        lambda r: f"github_pat_{_draw(r, 22, ALNUM)}_{_draw(r, 59, ALNUM)}",
    ),
    "slack_token": (
        "Slack token",
        ("SLACK_BOT_TOKEN", "SLACK_TOKEN", "slack_token"),
        lambda r: r.choice(
            [
                f"xoxb-{_draw(r, r.randint(10, 13), string.digits)}-"
                f"{_draw(r, 13, string.digits)}-{_draw(r, 24, ALNUM)}",
                f"xoxp-{_draw(r, 11, string.digits)}-{_draw(r, 11, string.digits)}-"
                f"{_draw(r, 13, string.digits)}-{_draw(r, 32, '0123456789abcdef')}",
                f"xoxa-2-{_draw(r, 12, string.digits)}-{_draw(r, 12, string.digits)}-"
                f"{_draw(r, 12, string.digits)}-{_draw(r, 64, '0123456789abcdef')}",
            ]
        ),
    ),
    "slack_webhook": (
        "Slack webhook",
        ("SLACK_WEBHOOK_URL", "slack_webhook"),
        lambda r: (
            f"https://hooks.slack.com/services/T{_draw(r, r.randint(8, 10), UPPER_ALNUM)}"
            f"/B{_draw(r, r.randint(8, 10), UPPER_ALNUM)}/{_draw(r, 24, ALNUM)}"
        ),
    ),
    "stripe_key": (
        "Stripe key",
        ("STRIPE_SECRET_KEY", "STRIPE_API_KEY", "stripe_key"),
        lambda r: r.choice(["sk_live_", "rk_live_"]) + _draw(r, r.choice([24, 34, 99]), ALNUM),
    ),
    "google_api_key": (
        "Google API key",
        ("GOOGLE_API_KEY", "MAPS_API_KEY", "apiKey"),
        lambda r: "AIza" + _draw(r, 35, ALNUM + "-_"),
    ),
    "private_key": ("private key", ("PRIVATE_KEY", "ssh_key", "tls_key"), _pem),
}

GENERIC_LEADS = (
    "here it is",
    "use this",
    "try",
    "paste",
    "new one",
    "fyi",
    "copy this exactly",
    "I think it's",
    "sent you",
    "from the vault",
    "",
)
TAILS = ("", ".", ",", ";", "!", "?", " :)", "...", " thanks", " - rotate it later")
WRAPS = (("", ""), ('"', '"'), ("'", "'"), ("`", "`"), ("(", ")"), ("[", "]"), ("<", ">"))
LOG_LEVELS = ("INFO", "DEBUG", "WARN", "ERROR")


class Generator:
    """Planted texts for each kind, around real SMS messages or Faker prose."""

    def __init__(self, *, seed: int, hosts: Sequence[str]) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.hosts = hosts

    def filler(self, most: int) -> str:
        rng = self.rng
        parts = []
        for _ in range(rng.randint(0, most)):
            parts.append(rng.choice(self.hosts) if rng.random() < 0.5 else self.fake.sentence())
        return " ".join(parts)

    def plant(self, kind: str) -> Planted:
        rng = self.rng
        if kind == "url_password":
            url, password = _url_password(rng, self.fake)
            text, at = self._around(url, "connection string", ("DATABASE_URL", "BROKER_URL"))
            start = at + url.index(f":{password}@") + 1
            return Planted(text, kind, start, start + len(password))
        name, variables, make = KINDS[kind]
        if kind == "aws_secret_access_key" and rng.random() < 0.5:
            return self._aws_pair()
        value = make(rng)
        text, at = self._around(value, name, variables)
        return Planted(text, kind, at, at + len(value))

    def _aws_pair(self) -> Planted:
        """A key id with its secret, as people paste them."""
        rng = self.rng
        key_id, secret = KINDS["aws_access_key_id"][2](rng), KINDS["aws_secret_access_key"][2](rng)
        form = rng.choice(
            [
                "[default]\naws_access_key_id = {k}\naws_secret_access_key = {s}\n",
                "{k} / {s}",
                "{k}:{s}",
                "key {k} secret {s}",
                "id={k}, secret={s}",
                "Access key ID: {k}\nSecret access key: {s}",
                "creds are {k} and {s}",
            ]
        )
        block = form.format(k=key_id, s=secret)
        before, after = self.filler(2), self.filler(1)
        text = f"{before}\n{block}\n{after}" if before else f"{block} {after}"
        at, key_at = text.index(secret), text.index(key_id)
        others = ((key_at, key_at + len(key_id)),)
        return Planted(text, "aws_secret_access_key", at, at + len(secret), others)

    def _around(self, value: str, name: str, variables: Sequence[str]) -> tuple[str, int]:
        """``value`` in a text of a random shape; the text and where the value starts."""
        rng = self.rng
        shape = rng.random()
        variable = rng.choice(variables)
        if shape < 0.12:
            head = f"{variable}="
            tail = ""
        elif shape < 0.2:
            head = f"{variable.lower()}: "
            tail = ""
        elif shape < 0.28:
            head = f'{{"{variable}": "'
            tail = '"}'
        elif shape < 0.36:
            head = "```\n" + f"export {variable}="
            tail = "\n```"
        elif shape < 0.44:
            ts = self.fake.date_time_this_year().isoformat(sep=" ", timespec="seconds")
            head = f"{ts} {rng.choice(LOG_LEVELS)} {self.fake.word()}: using "
            tail = rng.choice(["", f" for {self.fake.word()}"])
        else:
            lead = rng.choice(
                [
                    rng.choice(GENERIC_LEADS),
                    f"my {name} is",
                    f"the {name.lower()} for {self.fake.company()}:",
                    f"{name}",
                    f"can you check whether this {name} still works",
                ]
            )
            left, right = rng.choice(WRAPS)
            sep = rng.choice([" ", ": ", "\n", " - ", "\n\n", "\t"]) if lead else ""
            head = f"{lead}{sep}{left}"
            tail = right + rng.choice(TAILS)
        before, after = self.filler(2), self.filler(2)
        joiner = rng.choice([" ", "\n", "\n\n"])
        prefix = f"{before}{joiner}{head}" if before else head
        return f"{prefix}{value}{tail}{joiner if after else ''}{after}", len(prefix)


ALL_KINDS = (*KINDS, "url_password")


def negatives() -> tuple[list[str], list[str]]:
    """Distinct SMS Spam and HateCheck texts (they hold no secret)."""
    sms = [
        line.split("\t", 1)[1].rstrip("\n")
        for line in SMS.read_text(encoding="utf-8").splitlines(keepends=True)
    ]
    hate = pd.read_csv(HATECHECK)["test_case"].astype(str).tolist()
    return list(dict.fromkeys(sms)), list(dict.fromkeys(hate))


def found(planted: Planted, spans: Sequence[Span]) -> bool:
    covered = set()
    for s in spans:
        if s.entity_type == "SECRET":
            covered.update(range(s.start, s.end))
    return all(i in covered for i in range(planted.start, planted.end) if planted.text[i].isalnum())


def analyze(analyzer: PiiAnalyzer, texts: Sequence[str], chunk: int = 500) -> list[list[Span]]:
    out: list[list[Span]] = []
    for i in range(0, len(texts), chunk):
        out += analyzer.analyze(texts[i : i + chunk])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-kind", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=6, help="timing slices per analyzer")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(f"load average (1, 5, 15 min) at the start: {os.getloadavg()}")

    sms, hate = negatives()
    gen = Generator(seed=args.seed, hosts=sms)
    corpus = [gen.plant(kind) for kind in ALL_KINDS for _ in range(args.per_kind)]

    with_secret = PiiAnalyzer(PiiParams())
    assert "SECRET" in with_secret.entities
    without = PiiAnalyzer(PiiParams(entities=tuple(e for e in DEFAULT_ENTITIES if e != "SECRET")))

    # Recall, by kind.
    spans = analyze(with_secret, [p.text for p in corpus])
    hits: Counter[str] = Counter()
    for p, s in zip(corpus, spans, strict=True):
        hits[p.kind] += found(p, s)
    print(f"Recall on {len(corpus)} planted secrets (seed {args.seed}):")
    for kind in ALL_KINDS:
        print(f"  {kind:24s} {hits[kind] / args.per_kind:.3f}")
    recall = sum(hits.values()) / len(corpus)
    print(f"  {'ALL':24s} {recall:.3f}")
    tp_spans = fp_planted = 0
    fp_kinds: Counter[str] = Counter()
    for p, found_spans in zip(corpus, spans, strict=True):
        for s in found_spans:
            if s.entity_type != "SECRET":
                continue
            if p.overlaps(s.start, s.end):
                tp_spans += 1
            else:
                fp_planted += 1
    # Findings where there is no secret.
    neg_spans = {}
    for name, texts in (("sms", sms), ("hatecheck", hate)):
        found_here = analyze(with_secret, texts)
        secret = [
            (t, s)
            for t, ss in zip(texts, found_here, strict=True)
            for s in ss
            if s.entity_type == "SECRET"
        ]
        neg_spans[name] = secret
        for t, s in secret:
            kinds = {k.kind for k in find_secrets(t) if k.start < s.end and s.start < k.end}
            fp_kinds.update(kinds or {"?"})
        print(
            f"{name}: {len(texts)} distinct texts, {len(secret)} SECRET findings "
            f"({len(secret) / len(texts):.2%} of texts)"
        )
    fp_neg = sum(len(v) for v in neg_spans.values())
    print(f"False positives in planted texts (outside the secret): {fp_planted}")
    print(f"False positives on SMS + HateCheck by detector: {dict(fp_kinds) or 'none'}")
    precision = tp_spans / max(1, tp_spans + fp_planted + fp_neg)
    print(f"Precision, planted corpus pooled with SMS + HateCheck: {precision:.3f}")

    # Cost: the same texts through both analyzers, slices in turn; CPU time as well as wall
    # time, as other jobs on the machine stretch the wall clock.
    texts = [*sms, *hate, *(p.text for p in corpus)]
    random.Random(args.seed).shuffle(texts)
    size = -(-len(texts) // args.rounds)
    # A second analyzer without SECRET is the control: its ratio to the first is the noise.
    control = PiiAnalyzer(PiiParams(entities=without.settings.entities))
    runs = (("without", without), ("with", with_secret), ("control", control))
    wall = dict.fromkeys(("with", "without", "control"), 0.0)
    cpu = dict.fromkeys(("with", "without", "control"), 0.0)
    for r in range(args.rounds):
        part = texts[r * size : (r + 1) * size]
        for label, analyzer in runs[r % 3 :] + runs[: r % 3]:
            start, start_cpu = time.perf_counter(), time.process_time()
            analyze(analyzer, part)
            wall[label] += time.perf_counter() - start
            cpu[label] += time.process_time() - start_cpu
    start_cpu = time.process_time()
    for t in texts:
        find_secrets(t)
    alone = time.process_time() - start_cpu
    n = len(texts)
    print(f"Analyzer on {n} texts, {args.rounds} slices each in turn:")
    for name, spent in (("wall", wall), ("CPU", cpu)):
        print(
            f"  {name:4s} without SECRET {n / spent['without']:.0f} texts/s, with SECRET "
            f"{n / spent['with']:.0f} texts/s (time ratio {spent['with'] / spent['without']:.3f}; "
            f"control without/without {spent['control'] / spent['without']:.3f})"
        )
    print(
        f"find_secrets alone: {alone / n * 1e6:.1f} µs CPU per text "
        f"({alone / cpu['with']:.1%} of the analyzer's CPU time with SECRET)"
    )
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()

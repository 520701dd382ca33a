"""The bias checks' map steps run in worker processes and give the same report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

from curate.auditing import audit
from curate.checks.data import BATCH_ROWS
from curate.rules.loader import parse_rules
from tests.conftest import WAIVERS


def test_process_pool_gives_the_same_metrics_as_one_process() -> None:
    rng = np.random.default_rng(0)
    rows = BATCH_ROWS + 123  # two batches
    frame = pd.DataFrame(
        {
            "g": rng.choice(["a", "b", "c"], size=rows),
            "h": rng.choice(["x", "y"], size=rows),
            "split": rng.choice(["train", "test"], size=rows),
            "y": rng.integers(0, 2, size=rows),
            "p": rng.integers(0, 2, size=rows),
        }
    )
    rules = parse_rules(
        yaml.safe_dump(
            {
                "columns": {
                    "sensitive": ["g", "h"],
                    "label": "y",
                    "prediction": "p",
                    "split": "split",
                },
                "checks": {
                    "bias.sampling": {},
                    "bias.label": {"bootstrap": 200},
                },
                "waive": WAIVERS,
            }
        ).encode(),
        path="r.yaml",
    )
    one = audit(frame, rules=rules, workers=1)
    two = audit(frame, rules=rules, workers=2)
    for check in ("bias.sampling", "bias.label"):
        assert one.check(check).status.value != "error", one.check(check).summary
        assert one.check(check).metrics == two.check(check).metrics, check
    assert one.check("bias.label").metrics["attributes"]["g"]["groups"]["a"]["n"] == int(
        (frame["g"] == "a").sum()
    )

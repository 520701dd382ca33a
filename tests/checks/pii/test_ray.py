"""The PII analyzer on the Ray engine: one analyzer per actor, the same findings as local."""

from __future__ import annotations

import pandas as pd
import pytest

import curate
from curate.pii.settings import PiiParams

ray = pytest.importorskip("ray")


@pytest.mark.slow  # starts Ray and an actor that imports Presidio
def test_scrub_on_ray_matches_local() -> None:
    settings = PiiParams(entities=("EMAIL_ADDRESS", "PHONE_NUMBER"))
    frame = pd.DataFrame(
        {"text": [f"mail user{i}@example.com or call (212) 555-01{i:02d}" for i in range(30)]}
    )
    local = curate.scrub(frame, rules=settings, check=True)
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        on_ray = curate.scrub(frame, rules=settings, check=True, engine="ray", workers=1)
    finally:
        ray.shutdown()
    assert on_ray.findings == local.findings
    assert len(local.findings) == 60

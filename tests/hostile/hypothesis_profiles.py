"""Hypothesis settings for the hostile-input tests (issue 7): modest example counts so CI stays fast.

`examples(n)` gives settings for about `n` examples. Set CASEREVIEWS_HYPOTHESIS_SCALE to run more for a
thorough local search (`CASEREVIEWS_HYPOTHESIS_SCALE=20 pytest tests/core/test_calendar_properties.py`).
The profile is registered by name too, so `--hypothesis-profile=hostile` applies the same base elsewhere.
Examples are the same on every run unless CASEREVIEWS_HYPOTHESIS_RANDOM=1 (see RANDOM).
Deadlines are off: the database and the document readers have slow first calls that are not failures.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

SCALE = float(os.environ.get("CASEREVIEWS_HYPOTHESIS_SCALE", "1"))
# The suite (and so CI) runs the same examples every time, so that a red run means a change broke something, not
# that this run's dice found an old bug. New examples are searched for on purpose: CASEREVIEWS_HYPOTHESIS_RANDOM=1
# (with a larger scale) and scripts/fuzz_readers.py; what they find becomes a regression test.
RANDOM = os.environ.get("CASEREVIEWS_HYPOTHESIS_RANDOM") == "1"

settings.register_profile(
    "hostile",
    deadline=None,
    derandomize=not RANDOM,
    print_blob=True,
    # Database tests share the test's transaction across examples on purpose: each example builds its own rows.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
HOSTILE = settings.get_profile("hostile")


def examples(count: int, **overrides: object) -> settings:
    """Settings for about `count` examples (times the scale), on the hostile profile."""
    return settings(HOSTILE, max_examples=max(1, round(count * SCALE)), **overrides)  # type: ignore[arg-type]

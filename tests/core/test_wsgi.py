"""The WSGI application as a gunicorn worker loads it: in a process of its own, as importing it here would freeze
and retune the garbage collector of the test run itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json
before = gc.get_freeze_count()
import casereviews.wsgi as wsgi
print(json.dumps({"frozen_before": before, "frozen": gc.get_freeze_count(), "thresholds": gc.get_threshold(),
                  "declared": wsgi.GC_THRESHOLDS, "callable": callable(wsgi.application)}))
"""


def test_loading_the_application_freezes_what_start_up_loaded_and_makes_collections_rarer(tmp_path: Path):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casereviews.settings",
        "DJANGO_DEBUG": "true",
        "CASEREVIEWS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    finished = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr
    probe = json.loads(finished.stdout.strip().splitlines()[-1])
    assert probe["callable"]
    assert probe["frozen_before"] == 0
    # Django's models, URL configuration and apps are in the permanent generation, out of every later collection.
    assert probe["frozen"] > 10_000
    assert tuple(probe["thresholds"]) == tuple(probe["declared"])
    assert probe["thresholds"][0] > 700  # rarer than Python's default first threshold

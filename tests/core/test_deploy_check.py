"""`manage.py check --deploy` on the example production environment, with real secrets, finds nothing at all
(ASVS 14.1.3): a warning there is either fixed or a decision written beside the setting it silences."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from cryptography.fernet import Fernet

from .test_deploy_files import NOT_INHERITED_BY_PRODUCTION_CHECK, ROOT, env_example


def test_the_deployment_checks_find_nothing_in_the_example_production_environment(tmp_path):
    env = {
        **{key: value for key, value in os.environ.items() if key not in NOT_INHERITED_BY_PRODUCTION_CHECK},
        **env_example(),
        # The example's placeholders replaced as an operator would (Django rightly warns about "change-me").
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PASSWORD_PEPPER": secrets.token_urlsafe(32),
        "MFA_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "CASEREVIEWS_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "casereviews.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr

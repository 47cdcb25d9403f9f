"""`manage.py check --deploy` on the example production environment, with real secrets, finds nothing at all
(ASVS 14.1.3): a warning there is either fixed or a decision written beside the setting it silences."""

from __future__ import annotations

import secrets

from cryptography.fernet import Fernet

from .test_deploy_files import check_deploy, env_example


def test_the_deployment_checks_find_nothing_in_the_example_production_environment(tmp_path):
    environment = {
        **env_example(),
        # The example's placeholders replaced as an operator would (Django rightly warns about "change-me").
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PASSWORD_PEPPER": secrets.token_urlsafe(32),
        "MFA_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    result = check_deploy(environment, tmp_path, fail_level="WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr

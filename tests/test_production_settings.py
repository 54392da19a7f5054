"""Production settings: `check --deploy` is clean, and a weak SECRET_KEY stops start-up."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#Qm2!vR9zL4wT8pK1sN6bY3hJ0cF5dG7aE2uI9oP4lZ8mX1nB6vC3",
    "ALLOWED_HOSTS": "tyopari.example.fi",
    "CSRF_TRUSTED_ORIGINS": "https://tyopari.example.fi",
    # Never contacted by `check`; set so the embedded server is not started.
    "DATABASE_URL": "postgres://tyopari:secret@db.invalid:5432/tyopari",
    "REDIS_URL": "redis://cache.invalid:6379/0",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "secret_key",
    ["", "django-insecure-development-only-key-never-use-in-production", "too-short"],
    ids=["missing", "development default", "short"],
)
def test_production_refuses_to_start_with_a_weak_secret_key(secret_key):
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": secret_key})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_boolean_names_the_variable():
    result = manage("check", **{**PRODUCTION, "DEBUG": "perhaps"})
    assert result.returncode != 0
    assert "Environment variable DEBUG" in result.stderr


def test_passwords_are_hashed_with_argon2_first():
    from pairwork import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

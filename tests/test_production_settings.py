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


def test_the_readme_documents_every_variable_the_two_roles_and_the_proxy_setting():
    from pairwork.env import VARIABLES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    production = readme[readme.index("## Running in production"):readme.index("## Configuration")]

    assert [var.name for var in VARIABLES if f"| `{var.name}` |" not in readme] == []
    for needed in ("TRUSTED_PROXY_COUNT=1", "MIGRATION_DATABASE_URL", "tyopari_owner", "tyopari_app",
                   "docs/database-roles.sql", "check --deploy --database default --fail-level WARNING"):
        assert needed in production, needed
    assert (ROOT / "docs" / "database-roles.sql").exists()


def test_migrate_alone_connects_as_the_owner_role():
    script = "from django.conf import settings; print(settings.DATABASES['default']['USER'])"
    owner_url = "postgres://tyopari_owner:secret@db.invalid:5432/tyopari"
    env = {**PRODUCTION, "DATABASE_URL": "postgres://tyopari_app:secret@db.invalid:5432/tyopari", "MIGRATION_DATABASE_URL": owner_url}

    def user_for(command: str) -> str:
        code = f"import sys; sys.argv = ['manage.py', {command!r}]; import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'pairwork.settings'); django.setup(); {script}"
        environment = {k: v for k, v in os.environ.items() if k not in env}
        environment.update(env)
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert user_for("migrate") == "tyopari_owner"
    assert user_for("runserver") == "tyopari_app"

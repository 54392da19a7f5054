"""Every setting that varies between machines, declared once and typed.

Settings read the environment only through `ENV`; a bad value fails loudly at
start-up, naming the variable, instead of surfacing later as odd behaviour.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {raw!r}")


def _list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _int(raw: str) -> int:
    return int(raw.strip())


def _seconds(raw: str) -> float:
    value = float(raw.strip())
    if not 0 < value <= 30:
        raise ValueError(f"expected a number of seconds between 0 and 30, got {raw!r}")
    return value


def _rate(raw: str) -> str:
    """A REST framework throttle rate: a count per second, minute, hour or day, e.g. 5000/hour."""
    count, _, period = raw.strip().partition("/")
    if not count.isdigit() or period[:1] not in {"s", "m", "h", "d"}:
        raise ValueError(f"expected a rate like 5000/hour, got {raw!r}")
    return raw.strip()


@dataclass(frozen=True)
class Var(Generic[T]):
    name: str
    parse: Callable[[str], T]
    default: T
    help: str
    secret: bool = field(default=False)

    def read(self) -> T:
        raw = os.environ.get(self.name)
        if raw is None or raw == "":
            return self.default
        try:
            return self.parse(raw)
        except (TypeError, ValueError) as exc:
            raise ImproperlyConfigured(f"Environment variable {self.name}: {exc}") from exc


# The README's configuration table is this list.
VARIABLES: list[Var] = [
    Var("DEBUG", _bool, False, "Development mode. Never on in production."),
    Var("SECRET_KEY", str, "", "Django secret key; required (50+ random characters) when DEBUG is off.", secret=True),
    Var("ALLOWED_HOSTS", _list, [], "Comma-separated host names the site answers to."),
    Var("CSRF_TRUSTED_ORIGINS", _list, [], "Comma-separated origins (https://host) trusted for form posts."),
    Var("DATABASE_URL", str, "", "postgres://user:pass@host:5432/name. Unset: an embedded PostgreSQL under .data/."),
    Var(
        "MIGRATION_DATABASE_URL", str, "",
        "postgres:// URL of the tables' owner, used by `manage.py migrate` only. Unset: migrate uses DATABASE_URL.",
        secret=True,
    ),
    Var("REDIS_URL", str, "", "redis://host:6379/0 for Celery and the cache. Unset: tasks run in-process."),
    Var("REDIS_TIMEOUT", _seconds, 0.5, "Seconds a cache or broker call may wait on Redis before the request carries on without it."),
    Var("TIME_ZONE", str, "Europe/Helsinki", "Time zone used to show and enter times."),
    Var("LANGUAGE_CODE", str, "fi", "Default language: fi, sv or en."),
    Var("EMAIL_HOST", str, "", "SMTP host. Unset: e-mail is printed to the console."),
    Var("EMAIL_PORT", _int, 587, "SMTP port."),
    Var("EMAIL_HOST_USER", str, "", "SMTP user."),
    Var("EMAIL_HOST_PASSWORD", str, "", "SMTP password.", secret=True),
    Var("EMAIL_USE_TLS", _bool, True, "Use STARTTLS for SMTP."),
    Var("DEFAULT_FROM_EMAIL", str, "Työpari <no-reply@tyopari.invalid>", "Sender of notification e-mail."),
    Var("SECURE_SSL_REDIRECT", _bool, True, "Redirect http to https in production (off behind a TLS proxy that already does it)."),
    Var("SECURE_HSTS_SECONDS", _int, 31536000, "HSTS max-age in production."),
    Var("CLIENT_RETENTION_DAYS", _int, 365 * 2, "How long archived clients are kept before purge_clients removes them."),
    Var("EMBEDDED_DB_DIR", str, "", "Where the embedded PostgreSQL keeps its data (default .data/postgres)."),
    Var("API_USER_RATE", _rate, "5000/hour", "Requests a signed-in user or API token may make to the API (DRF rate, e.g. 5000/hour)."),
    Var(
        "TRUSTED_PROXY_COUNT", _int, 0,
        "Proxies in front of the app that append to X-Forwarded-For (1 behind one TLS proxy); 0 ignores the header.",
    ),
    Var(
        "PAGE_CACHE", _bool, True,
        "Serve a person's page, API list and API token lookup again while no data has changed (every read is still logged); false turns it off.",
    ),
    Var(
        "PAGE_CACHE_LOCAL_ENTRIES", _int, 300,
        "Kept pages and token lookups each worker also holds in its own memory, in front of Redis (0: none).",
    ),
    Var("API_ANON_RATE", _rate, "100/hour", "Requests an anonymous caller may make to the API per address."),
]

ENV = {var.name: var for var in VARIABLES}


def env(name: str):
    return ENV[name].read()

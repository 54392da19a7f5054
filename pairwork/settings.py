"""Django settings for Työpari.

Everything that varies comes from the environment through `pairwork.env`;
the defaults are safe for development, and production (DEBUG off) refuses to
start on a missing or weak SECRET_KEY.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from pairwork import embedded_postgres
from pairwork.env import env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG: bool = env("DEBUG")
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

_DEVELOPMENT_SECRET = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY: str = env("SECRET_KEY") or _DEVELOPMENT_SECRET
if not DEBUG and not TESTING and (
    SECRET_KEY == _DEVELOPMENT_SECRET or len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to 50 or more random characters when DEBUG is off "
        "(for development, set DEBUG=true)."
    )

ALLOWED_HOSTS: list[str] = env("ALLOWED_HOSTS") or (["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS: list[str] = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "axes",
    "csp",
    "pairwork",
    "access",
    "clients",
    "visits",
    "wellbeing",
    "workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # One access-log row per client a request touches (see access.log).
    "access.middleware.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # After authentication, so it sees its outcome and can lock out.
    "axes.middleware.AxesMiddleware",
    # Innermost: a page kept by the page cache passes back through everything above (access.page_cache).
    "access.middleware.PageCacheMiddleware",
]

ROOT_URLCONF = "pairwork.urls"
WSGI_APPLICATION = "pairwork.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pairwork.context_processors.role",
                "pairwork.context_processors.navigation",
            ],
        },
    },
]

# --- Database: PostgreSQL everywhere -------------------------------------
_database_url: str = env("DATABASE_URL")
# Two roles in production: the app runs as a role that may only INSERT and SELECT on the
# access log; `migrate` runs as the tables' owner (README, "Running in production").
MIGRATION_COMMANDS = {"migrate"}
if env("MIGRATION_DATABASE_URL") and len(sys.argv) > 1 and sys.argv[1] in MIGRATION_COMMANDS:
    _database_url = env("MIGRATION_DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {"default": embedded_postgres.database_settings(BASE_DIR)}
if not DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    raise ImproperlyConfigured("Työpari needs PostgreSQL (exclusion constraints, ranges); set a postgres:// DATABASE_URL.")
# Django's PostgreSQL backend with a health check that needs no round trip (pairwork/postgresql/base.py).
DATABASES["default"]["ENGINE"] = "pairwork.postgresql"
# No JIT compilation: the app's queries are short, and once a large table makes a plan's estimated cost pass
# jit_above_cost, compiling it costs tens of milliseconds more than running it (measured by bench_scale at region
# size: a nurse's home page query 19 ms without, 76 ms with). Behind PgBouncer, which refuses this startup
# option, set `ALTER ROLE ... SET jit = off` for the app's role instead.
_database_options = DATABASES["default"].setdefault("OPTIONS", {})
_database_options["options"] = " ".join(filter(None, [_database_options.get("options", ""), "-c jit=off"]))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with the staff profile joined to the session's user (one query less on every page).
    "pairwork.auth_backends.UserWithProfileBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in protection (pairwork/sign_in_protection.py): 5 failures lock an account on one
# address for 30 minutes; 10 from any addresses within 15 minutes lock it everywhere for 15.
# The address is the client's as the trusted proxies saw it (pairwork/client_address.py).
TRUSTED_PROXY_COUNT: int = env("TRUSTED_PROXY_COUNT")
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "pairwork.client_address.client_address"
AXES_HANDLER = "pairwork.sign_in_protection.AccountAndAddressLockout"
AXES_LOCKOUT_CALLABLE = "pairwork.sign_in_protection.lockout_response"
LOGIN_FAILURES_PER_ACCOUNT = 10
LOGIN_ACCOUNT_COOLOFF = dt.timedelta(minutes=15)
PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = 5
PASSWORD_RESETS_PER_EMAIL_PER_HOUR = 3

SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Languages and time -------------------------------------------------------
LANGUAGE_CODE: str = env("LANGUAGE_CODE")
LANGUAGES = [("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE: str = env("TIME_ZONE")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Redis, cache and Celery -------------------------------------------------------------
REDIS_URL: str = env("REDIS_URL")
# Redis only speeds things up (pairwork/redis_outage.py): every call to it is
# bounded by this timeout, and a cache that cannot answer is a miss.
REDIS_TIMEOUT: float = env("REDIS_TIMEOUT")
REDIS_CONNECTION_OPTIONS = {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}
if REDIS_URL and not TESTING:
    CACHES = {"default": {
        "BACKEND": "pairwork.redis_outage.ResilientRedisCache", "LOCATION": REDIS_URL,
        "OPTIONS": REDIS_CONNECTION_OPTIONS,
    }}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# What each worker keeps in its own memory of the values kept for a data generation (pairwork.kept). Off in
# the tests but where they test it: they clear the shared cache to see a page built again.
PAGE_CACHE_LOCAL_ENTRIES: int = 0 if TESTING else env("PAGE_CACHE_LOCAL_ENTRIES")
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pairwork.kept",
    "OPTIONS": {"MAX_ENTRIES": env("PAGE_CACHE_LOCAL_ENTRIES") or 300},
}
# Sessions stay in PostgreSQL only (one primary-key read a request): a session cached in Redis would
# outlive a sign-out made while Redis was unreachable.
SESSION_ENGINE = "pairwork.sessions"
# Pages and API lists kept per person while no data changes (access.page_cache). The tests turn it on where they test it.
PAGE_CACHE: bool = env("PAGE_CACHE") and not TESTING

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Without Redis the tasks run in-process; they are written to be safe either way.
# The test suite runs them in-process too; tests about the broker opt out.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL or TESTING
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast when Redis is down: saving must never wait on the broker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, **REDIS_CONNECTION_OPTIONS}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_BEAT_SCHEDULE: dict = {}
# Visit e-mails whose on-commit task never ran (e.g. Redis was down) go out late rather than never.
CELERY_BEAT_SCHEDULE["visits-resend-unsent-notifications"] = {
    "task": "visits.tasks.resend_unsent_visit_notifications",
    "schedule": 600.0,
}
# The coordinators' absence e-mails, likewise.
CELERY_BEAT_SCHEDULE["visits-resend-unsent-absence-notifications"] = {
    "task": "visits.tasks.resend_unsent_absence_notifications",
    "schedule": 600.0,
}
# Wellbeing: rebuild every aggregate at night (the safety net when Redis was
# down), and remind staff of the monthly survey once a month.
from celery.schedules import crontab  # noqa: E402  (kept next to its use so merges stay additive)

CELERY_BEAT_SCHEDULE["wellbeing-nightly-reconcile"] = {
    "task": "wellbeing.tasks.reconcile_wellbeing",
    "schedule": crontab(hour=2, minute=30),
}
# The access log is partitioned by month: keep partitions three months ahead.
CELERY_BEAT_SCHEDULE["clients-access-log-partitions"] = {
    "task": "access.tasks.ensure_access_log_partitions",
    "schedule": crontab(hour=3, minute=15),
}
CELERY_BEAT_SCHEDULE["wellbeing-monthly-survey-reminder"] = {
    "task": "wellbeing.tasks.send_monthly_survey_reminders",
    "schedule": crontab(day_of_month="20", hour=9, minute=0),
}
# Client outcome measures that became due: each nurse is reminded once, on a weekday morning.
CELERY_BEAT_SCHEDULE["wellbeing-outcome-measurement-reminder"] = {
    "task": "wellbeing.tasks.send_outcome_measurement_reminders",
    "schedule": crontab(day_of_week="mon-fri", hour=7, minute=30),
}

# --- E-mail ---------------------------------------------------------------------
EMAIL_HOST: str = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT: int = env("EMAIL_PORT")
    EMAIL_HOST_USER: str = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD: str = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS: bool = env("EMAIL_USE_TLS")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL: str = env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST framework ------------------------------------------------------------------
INSTALLED_APPS += ["drf_spectacular_sidecar"]  # Swagger UI served from our own static files, never a CDN

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an anonymous request 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "pairwork.api_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["access.api_permissions.HasRole"],
    # JSON only: integrations speak JSON, and the Swagger UI at /api/docs/ replaces the browsable API.
    "DEFAULT_PARSER_CLASSES": ["pairwork.api_parsers.BoundedJSONParser"],
    "DEFAULT_METADATA_CLASS": "pairwork.api_metadata.DescribeWithoutReading",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "pairwork.api_pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "pairwork.throttles.AnonRateThrottle",
        "pairwork.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_ANON_RATE"), "user": env("API_USER_RATE")},
    "EXCEPTION_HANDLER": "pairwork.api_errors.exception_handler",
    # Throttles key anonymous callers on the same address as the login lockout.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Työpari API",
    "DESCRIPTION": (
        "Joint home visits of an artist and a nurse: teams, work pairs, clients, visits and instruments. "
        "Every endpoint applies the same rules as the web pages: you see only what your role and teams allow, "
        "objects outside your scope answer 404, and reads of client data are written to the client's access log."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Separate request and response components, so read-only fields are not asked for in requests.
    "COMPONENT_SPLIT_REQUEST": True,
    # Each role receives its own fields of a client (access.fields): the schema requires only the shared ones.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "clients.serializers.least_data_in_schema",
    ],
    "ENUM_NAME_OVERRIDES": {"ArtFormEnum": "pairwork.choices.ArtForm", "LanguageEnum": "pairwork.choices.Language",
                            "AbsenceKindEnum": "visits.models.AbsenceKind"},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Privacy -------------------------------------------------------------------------
CLIENT_RETENTION_DAYS: int = env("CLIENT_RETENTION_DAYS")

# --- Production hardening (checked by `check --deploy`) -------------------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# A strict Content-Security-Policy: scripts and styles only from our own static files (no
# inline script, style or event handler anywhere, Swagger UI included), nothing framed,
# forms posted only to us. data: images are Bootstrap's and Swagger UI's inline SVG icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# No page needs a camera, microphone, location or payment; refuse them to every frame.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
        "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
        "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "usb", "xr-spatial-tracking",
    )
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Logging: no client data in log lines -------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every handler redacts values PostgreSQL quotes in errors (pairwork/log_privacy.py).
    "filters": {
        "redact_client_data": {"()": "pairwork.log_privacy.RedactClientData"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_client_data"]},
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "redact_client_data"],
        },
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Replaces Django's default "django" handlers, which do not redact.
        "django": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
        # Request bodies and SQL parameters may contain client data.
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "pgserver": {"level": "WARNING"},
    },
}

# Error reports (mail to ADMINS, the debug page) carry no POST values, local
# variables or database-quoted rows: any of them may be a client's data.
DEFAULT_EXCEPTION_REPORTER = "pairwork.log_privacy.PrivateExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "pairwork.log_privacy.PrivateExceptionReporterFilter"

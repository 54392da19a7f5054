"""The development database: a real PostgreSQL server shipped in a wheel.

When DATABASE_URL is unset, the app and the test suite start (or reuse) a
PostgreSQL server from the `pgserver` package with its data under `.data/`,
so a fresh machine needs nothing installed. The server outlives the process
that started it, so `make run`, `make test` and the autoreloader share one
server instead of racing to start their own.
"""
from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

DATABASE_NAME = "tyopari"


def data_dir(base_dir: Path) -> Path:
    configured = os.environ.get("EMBEDDED_DB_DIR")
    return Path(configured) if configured else base_dir / ".data" / "postgres"


def _server(base_dir: Path):
    with warnings.catch_warnings():
        # platformdirs warns about XDG_RUNTIME_DIR on headless machines; harmless.
        warnings.simplefilter("ignore")
        import pgserver

        directory = data_dir(base_dir)
        directory.parent.mkdir(parents=True, exist_ok=True)
        # cleanup_mode=None: keep the server running for the next command.
        return pgserver.get_server(directory, cleanup_mode=None)


def database_settings(base_dir: Path) -> dict:
    """Start the embedded server if needed and return Django DATABASES['default']."""
    server = _server(base_dir)
    socket_dir = server.get_postmaster_info().socket_dir
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        try:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        except Exception:  # another process created it a moment ago
            logger.info("database %s already being created", DATABASE_NAME)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(socket_dir),
        "PORT": "",
    }


def stop(base_dir: Path) -> bool:
    """Stop the embedded server if it runs; True when one was stopped."""
    directory = data_dir(base_dir)
    if not (directory / "postmaster.pid").exists():
        return False
    server = _server(base_dir)
    server.cleanup_mode = "stop"
    server._cleanup()
    return True

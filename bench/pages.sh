#!/usr/bin/env bash
# Page benchmark: every main page and API list as a share of a "hello" Django app, same gunicorn, same run.
#
#   DATABASE_URL=postgres://... REDIS_URL=redis://... bench/pages.sh [--seconds 5] [--only "client"]
#
# Needs the demo data in DATABASE_URL (manage.py seed_demo), wrk, and the ports APP_PORT (8801) and
# FLOOR_PORT (8802) free on 127.0.0.1. Runs with DEBUG=false and collected static files; stops what it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "bench/pages.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
exec .venv/bin/python bench/pages.py "$@"

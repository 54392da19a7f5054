"""Page benchmark: each main page and API list as a share of a "hello" Django app's speed.

Run through bench/pages.sh (see the README). Starts two gunicorns on
127.0.0.1 — the floor app (bench/floor_app.py) and the project with
DEBUG=false and collected static files — logs the demo users in, loads each
page with wrk for a short, bounded time and prints requests per second, the
99th-percentile latency and the share of the floor measured in the same run
(before and after the pages, as a shared machine's speed drifts). Stops
everything it started, also on Ctrl-C or an error.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DEMO_PASSWORD = "Tyopari-demo-2026"
HOST = "127.0.0.1"
TOKEN_NAME = "bench/pages.sh"

# What the script needs from the database: ids of records the demo users may open, and API tokens.
SETUP = """
import json
from django.contrib.auth import get_user_model
from clients.models import Client
from visits.models import Visit
from pairwork.api_tokens import issue_api_token
users = {u.username: u for u in get_user_model().objects.filter(username__in=["koordinaattori", "hoitaja", "esihenkilo"])}
coordinator = users["koordinaattori"]
client = Client.objects.filter(team__in=coordinator.staff_profile.teams.all()).order_by("pk").first()
visit = Visit.objects.filter(participants__staff__user=users["hoitaja"]).order_by("-starts_at").first()
tokens = {name: issue_api_token(user=users[name], name="%s")[1] for name in ("koordinaattori", "esihenkilo")}
print(json.dumps({"client": client.pk, "visit": visit.pk, "tokens": tokens}))
""" % TOKEN_NAME

TEARDOWN = """
from pairwork.api_tokens import revoke_api_token
from pairwork.models import ApiToken
for token in ApiToken.objects.filter(name="%s", revoked_at__isnull=True):
    revoke_api_token(token=token)
""" % TOKEN_NAME

# What autovacuum does between runs (it may be off on a benchmark machine): every page's run writes thousands of
# access-log rows for the same demo client, which stale statistics would count as a handful.
ANALYZE = "from django.db import connection\nconnection.cursor().execute('ANALYZE')"


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    user: str  # whose session (or token, for "token:" users) loads it


def pages(ids: dict) -> list[Page]:
    client, visit = ids["client"], ids["visit"]
    return [
        Page("home (coordinator)", "/", "koordinaattori"),
        Page("home (nurse)", "/", "hoitaja"),
        Page("week calendar", "/visits/calendar/", "koordinaattori"),
        Page("my visits (nurse)", "/visits/mine/", "hoitaja"),
        Page("clients", "/clients/", "koordinaattori"),
        Page("client page", f"/clients/{client}/", "koordinaattori"),
        Page("client access log", f"/clients/{client}/access-log/", "koordinaattori"),
        Page("visit page (nurse)", f"/visits/{visit}/", "hoitaja"),
        Page("pairs", "/pairs/", "koordinaattori"),
        Page("dashboard", "/wellbeing/dashboard/", "esihenkilo"),
        Page("GET /api/v1/visits/ (token)", "/api/v1/visits/", "token:koordinaattori"),
        Page("GET /api/v1/clients/ (token)", "/api/v1/clients/", "token:koordinaattori"),
        Page("GET /api/v1/pairs/ (token)", "/api/v1/pairs/", "token:koordinaattori"),
        Page("GET /api/v1/staff/ (token)", "/api/v1/staff/", "token:koordinaattori"),
        Page("GET /api/v1/teams/ (token)", "/api/v1/teams/", "token:koordinaattori"),
        Page("GET /api/v1/instruments/ (token)", "/api/v1/instruments/", "token:koordinaattori"),
        Page("GET /api/v1/dashboard/ (token)", "/api/v1/dashboard/", "token:esihenkilo"),
    ]


def manage(*args: str, env: dict, capture: bool = True) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    return result.stdout


def start_gunicorn(app: str, port: int, workers: int, env: dict, chdir: Path, log) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), app, "--chdir", str(chdir), "--bind", f"{HOST}:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=log,
        start_new_session=True,  # its own process group: stopped as one
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_until_up(port: int, path: str = "/", seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on {HOST}:{port} after {seconds:.0f} s")


def _cookies(response: http.client.HTTPResponse) -> dict:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def log_in(port: int, username: str) -> str:
    """The session cookie of `username`, through the login form as a browser does it."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    form = response.read().decode()
    csrf_cookie = _cookies(response)["csrftoken"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token})
    connection.request(
        "POST", "/accounts/login/", body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}",
                 "Referer": f"http://{HOST}:{port}/accounts/login/"},
    )
    response = connection.getresponse()
    response.read()
    session = _cookies(response).get("sessionid")
    if response.status != 302 or not session:
        raise SystemExit(f"could not log in as {username}: HTTP {response.status}")
    return f"sessionid={session}; csrftoken={csrf_cookie}"


def check(port: int, path: str, header: tuple[str, str] | None) -> str:
    """GET once; the page cache's verdict on it (X-Page-Cache: hit, miss) or "-" when it does not keep the page."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("GET", path, headers=dict([header]) if header else {})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}, not 200: fix the page list or the demo data")
    return response.getheader("X-Page-Cache") or "-"


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def wrk(port: int, path: str, *, header: tuple[str, str] | None, seconds: int, threads: int, connections: int) -> tuple[float, float, int]:
    """(requests per second, p99 in ms, non-2xx responses) of one wrk run."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if header:
        command += ["-H", f"{header[0]}: {header[1]}"]
    output = subprocess.run(command + [f"http://{HOST}:{port}{path}"], check=True, text=True, capture_output=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s|m)\b", output).groups()
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rate, float(value) * _UNITS[unit], int(failed.group(1)) if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-port", type=int, default=int(os.environ.get("APP_PORT", 8801)))
    parser.add_argument("--floor-port", type=int, default=int(os.environ.get("FLOOR_PORT", 8802)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", 2)))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("DURATION", 5)), help="wrk time per page")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", default="", help="Only pages whose label contains this text.")
    parser.add_argument("--no-page-cache", action="store_true",
                        help="Run the project with PAGE_CACHE=false: what building every page costs.")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to the database with the demo data (manage.py seed_demo).")
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "SECURE_SSL_REDIRECT": "false",
        # The benchmark is one user asking thousands of times a second; the throttle is not what is measured.
        "API_USER_RATE": "100000000/hour",
        "PAGE_CACHE": "false" if options.no_page_cache else os.environ.get("PAGE_CACHE", "true"),
    }
    manage("collectstatic", "--noinput", env=env, capture=False)
    ids = json.loads(manage("shell", "-c", SETUP, env=env).strip().splitlines()[-1])
    servers = []
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-pages-", suffix=".log", delete=False)
    try:
        servers.append(start_gunicorn("floor_app:application", options.floor_port, options.workers, env, ROOT / "bench", log))
        servers.append(start_gunicorn("pairwork.wsgi:application", options.app_port, options.workers, env, ROOT, log))
        wait_until_up(options.floor_port)
        wait_until_up(options.app_port, "/accounts/login/")
        sessions = {name: log_in(options.app_port, name) for name in ("koordinaattori", "hoitaja", "esihenkilo")}
        measure = {"seconds": options.seconds, "threads": options.threads, "connections": options.connections}

        def floor() -> float:
            wrk(options.floor_port, "/", header=None, **{**measure, "seconds": 1})  # warm up
            return wrk(options.floor_port, "/", header=None, **measure)[0]

        floor_before = floor()
        rows = []
        for page in pages(ids):
            if options.only and options.only not in page.label:
                continue
            if page.user.startswith("token:"):
                header = ("Authorization", f"Token {ids['tokens'][page.user.removeprefix('token:')]}")
            else:
                header = ("Cookie", sessions[page.user])
            manage("shell", "-c", ANALYZE, env=env)
            check(options.app_port, page.path, header)
            wrk(options.app_port, page.path, header=header, **{**measure, "seconds": 1})  # warm up
            result = wrk(options.app_port, page.path, header=header, **measure)
            rows.append((page, *result, check(options.app_port, page.path, header)))
        floor_after = floor()
    except BaseException:
        print(f"The servers' output is in {log.name}.", file=sys.stderr)
        raise
    finally:
        for server in servers:
            stop(server)
        manage("shell", "-c", TEARDOWN, env=env)
    floor_rate = (floor_before + floor_after) / 2
    print(
        f"floor (hello app): {floor_before:,.0f} req/s before the pages, {floor_after:,.0f} after; "
        f"shares below are of the mean, {floor_rate:,.0f} req/s"
    )
    print(f"gunicorn -w {options.workers}, DEBUG=false, wrk -t{options.threads} -c{options.connections} -d{options.seconds}s, "
          f"PAGE_CACHE={env['PAGE_CACHE']}")
    print()
    print(f"| {'page':<36} | {'req/s':>7} | {'p99 ms':>7} | {'share of the floor':>18} | {'cache':>5} |")
    print(f"|{'-' * 38}|{'-' * 9}|{'-' * 9}|{'-' * 20}|{'-' * 7}|")
    for page, rate, p99, failed, state in rows:
        note = f" ({failed} non-2xx!)" if failed else ""
        print(f"| {page.label:<36} | {rate:7.1f} | {p99:7.1f} | {rate / floor_rate:17.1%} | {state:>5} |{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

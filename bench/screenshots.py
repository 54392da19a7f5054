"""The README's screenshots, made from the demo data in Finnish: `make screenshots`.

Seeds the demo into a scratch database (DATABASE_URL's server, database
name + "_screenshots", dropped and made anew), collects the static files,
runs the project under gunicorn with DEBUG=false as in production, signs the
demo users in and takes each picture with Playwright in Debian's Chromium
(/usr/bin/chromium, or PLAYWRIGHT_CHROMIUM) into docs/screenshots/. Stops
the server and drops the scratch database when done, also on an error.
"""
from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import HOST, ROOT, log_in, manage, start_gunicorn, stop, wait_until_up  # noqa: E402

import psycopg2  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Shot:
    name: str
    user: str
    path: str
    viewport: dict
    full_page: bool = False
    element: str = ""  # only this element
    print_media: bool = False


SHOTS = [
    Shot("week-calendar", "koordinaattori", "/visits/calendar/", DESKTOP),
    Shot("nurse-phone", "hoitaja", "/", PHONE, full_page=True),
    Shot("dashboard", "esihenkilo", "/wellbeing/dashboard/?team={kallio}", {"width": 1280, "height": 1300}),
    Shot("dashboard-phone", "esihenkilo", "/wellbeing/dashboard/?team={kallio}", {"width": 390, "height": 1800}),
    Shot("dashboard-phone-chart", "esihenkilo", "/wellbeing/dashboard/?team={kallio}", PHONE, element="#staff"),
    Shot("dashboard-team-charts", "esihenkilo", "/wellbeing/dashboard/?team={kallio}", DESKTOP, element="#pulse"),
    Shot("absences", "koordinaattori", "/visits/absences/", DESKTOP),
    Shot("evidence-tables", "esihenkilo", "/wellbeing/dashboard/?team={kallio}", DESKTOP, element="#evidence"),
    Shot("evidence-report", "esihenkilo", "/wellbeing/dashboard/report/?team={kallio}", {"width": 900, "height": 1273},
         full_page=True, print_media=True),
]

KALLIO_ID = """
from pairwork.models import Team
print(Team.objects.filter(name__startswith="Kallio").values_list("pk", flat=True).first())
"""


def scratch_url(url: str) -> tuple[str, str, str]:
    """(the scratch database's URL, its name, the server's maintenance URL)."""
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/") + "_screenshots"
    return parts._replace(path=f"/{name}").geturl(), name, parts._replace(path="/postgres").geturl()


def recreate(maintenance_url: str, name: str, *, drop_only: bool = False) -> None:
    connection = psycopg2.connect(maintenance_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def take(shots: list[Shot], port: int, sessions: dict, kallio: str) -> None:
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("PLAYWRIGHT_CHROMIUM") or "/usr/bin/chromium"
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            for shot in shots:
                context = browser.new_context(locale="fi-FI", viewport=shot.viewport, base_url=f"http://{HOST}:{port}",
                                              device_scale_factor=1, is_mobile=shot.viewport is PHONE)
                cookies = dict(part.split("=", 1) for part in sessions[shot.user].split("; "))
                context.add_cookies([
                    {"name": name, "value": value, "url": f"http://{HOST}:{port}"}
                    for name, value in {**cookies, "django_language": "fi"}.items()
                ])
                page = context.new_page()
                if shot.print_media:
                    page.emulate_media(media="print")
                page.goto(shot.path.format(kallio=kallio))
                page.wait_for_load_state("networkidle")
                if page.locator("canvas[data-chart]").count():
                    page.wait_for_function("() => [...document.querySelectorAll('canvas[data-chart]')]"
                                           ".every(c => typeof Chart !== 'undefined' && Chart.getChart(c))")
                target = OUT / f"{shot.name}.png"
                if shot.element:
                    page.locator(shot.element).screenshot(path=str(target))
                else:
                    page.screenshot(path=str(target), full_page=shot.full_page)
                print(f"{target.relative_to(ROOT)}  ({shot.user}, {shot.path.format(kallio=kallio)})")
                context.close()
        finally:
            browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("APP_PORT", 8803)))
    parser.add_argument("--only", default="", help="Only screenshots whose name contains this text.")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server; the screenshots use a scratch database on it.")
    url, name, maintenance = scratch_url(os.environ["DATABASE_URL"])
    base = {**os.environ, "DATABASE_URL": url, "LANGUAGE_CODE": "fi"}
    base.pop("REDIS_URL", None)  # background jobs run in-process: nothing outside the scratch database is touched
    production = {
        **base, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": f"{HOST},localhost",
        "SECURE_SSL_REDIRECT": "false",
    }
    recreate(maintenance, name)
    log = tempfile.NamedTemporaryFile("w+", prefix="screenshots-", suffix=".log", delete=False)
    server = None
    try:
        manage("migrate", "--noinput", env={**base, "DEBUG": "true"})
        manage("seed_demo", env={**base, "DEBUG": "true"})  # the demo refuses to write without DEBUG
        manage("collectstatic", "--noinput", env=production)
        kallio = manage("shell", "-c", KALLIO_ID, env=base).strip().splitlines()[-1]
        server = start_gunicorn("pairwork.wsgi:application", options.port, 2, production, ROOT, log)
        wait_until_up(options.port, "/accounts/login/")
        shots = [shot for shot in SHOTS if options.only in shot.name]
        sessions = {user: log_in(options.port, user) for user in {shot.user for shot in shots}}
        take(shots, options.port, sessions, kallio)
    except BaseException:
        print(f"The server's output is in {log.name}.", file=sys.stderr)
        raise
    finally:
        if server is not None:
            stop(server)
        recreate(maintenance, name, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Browser fixtures: Playwright (sync API) driving Debian's Chromium against `live_server`.

Without Chromium the browser tests are skipped with a reason that says how to
install it; in CI (CI=true) a missing browser is an error, so a green run
always means the journeys really ran.
"""
from __future__ import annotations

import importlib
import io
import os
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MISSING_CHROMIUM = "Chromium not found: install it with `apt-get install chromium` to run the browser tests"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def pytest_collection_modifyitems(session, config, items):
    """Run the browser tests last (in each xdist worker too).

    Playwright's sync API keeps an event loop running in the test thread from
    its start until the end of the session, and Django's ORM then needs
    DJANGO_ALLOW_ASYNC_UNSAFE. Running them last keeps both away from every
    other test, including ones that start `manage.py check --deploy`, which
    rightly refuses that variable.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def chromium_executable() -> str:
    return os.environ.get("PLAYWRIGHT_CHROMIUM") or "/usr/bin/chromium"


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = chromium_executable()
    if not os.access(path, os.X_OK):
        if running_in_ci():
            pytest.fail(f"{MISSING_CHROMIUM} (looked for {path}; CI must run them)", pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    return path


@pytest.fixture(scope="session")
def playwright(chromium_path):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django would
    # then refuse ORM calls from the tests themselves. They are synchronous
    # test code, so that guard does not apply.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as instance:
            yield instance
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright, chromium_path):
    instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
    yield instance
    instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) with an English UI; JavaScript errors are collected in page.errors.

    Whatever the Content-Security-Policy refused is collected in page.csp_violations,
    and a test whose pages broke the policy fails at teardown.
    """
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    new_page.errors = []
    new_page.on("pageerror", lambda error: new_page.errors.append(str(error)))
    watch_csp_violations(new_page)
    yield new_page
    violations = list(new_page.csp_violations)
    context.close()
    assert violations == [], "the Content-Security-Policy refused something"


def watch_csp_violations(page) -> None:
    """Chromium reports each refusal on the console; keep them on the page."""
    page.csp_violations = []
    page.on(
        "console",
        lambda message: page.csp_violations.append(message.text)
        if "Content Security Policy" in message.text else None,
    )


@pytest.fixture
def screenshot(page):
    """Save a full-page PNG under test-results/ (git-ignored) and return its path."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take



@pytest.fixture
def sign_in_as(live_server):
    """Sign a browser context in as a user without the login page (the journeys test that page)."""
    from django.conf import settings
    from django.test import Client as DjangoClient

    def sign_in(context, user) -> None:
        session = DjangoClient()
        session.force_login(user)
        context.add_cookies([
            {"name": settings.SESSION_COOKIE_NAME, "value": session.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ])

    return sign_in



@pytest.fixture
def demo_data(transactional_db):
    """`seed_demo` as `make run` does it, demo survey answers included: pages with real content."""
    from django.apps import apps
    from django.core.management import call_command
    from django.test import override_settings

    from wellbeing import metrics
    from wellbeing.models import Instrument, SurveyResponse

    if not Instrument.objects.filter(code=metrics.PULSE).exists():  # flushed by an earlier browser test
        importlib.import_module("wellbeing.migrations.0004_shipped_instruments").ship_instruments(apps, None)
        # after a flush, the scales' direction and minimal important change too (wellbeing/0005)
        importlib.import_module("wellbeing.migrations.0005_outcome_analysis_fields").describe_shipped_scales(apps, None)
    with override_settings(DEBUG=True):  # seed_demo refuses to write without it
        call_command("seed_demo", stdout=io.StringIO())
    return {"post-visit pulses": SurveyResponse.objects.filter(instrument__code=metrics.PULSE).count()}

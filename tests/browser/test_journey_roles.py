"""Each role signs in through the real login page in Chromium and lands on its own home page."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories as f

pytestmark = pytest.mark.browser

# persona fixture (tests/conftest.py) -> the heading of that role's home page
JOURNEYS = {
    "coordinator": "Coordinator’s overview",
    "artist": "Artist’s day",
    "nurse": "Nurse’s day",
    "manager": "Manager’s overview",
    "admin_user": "Administration",
}
PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("persona", list(JOURNEYS))
def test_each_role_signs_in_and_lands_on_its_own_home(request, page, screenshot, persona, pair, client_record):
    person = request.getfixturevalue(persona)
    user = getattr(person, "user", person)
    f.make_visit(pair=pair, client=client_record, starts_at=timezone.now() + dt.timedelta(days=1))
    if persona in {"artist", "nurse"}:
        page.set_viewport_size(PHONE)  # artists and nurses use the app on a phone

    page.goto("/")

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Työpari")
    expect(page.get_by_label("Username")).to_be_focused()
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(JOURNEYS[persona])
    if persona in {"artist", "nurse"}:
        expect(page.get_by_role("heading", name="Upcoming")).to_be_visible()
        expect(page.get_by_role("link", name="Helmi Esimerkki")).to_be_visible()
    screenshot(f"home-{persona}")
    assert page.errors == []


def sign_in(page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_signing_out_from_the_user_menu_returns_to_the_login_page(page, nurse):
    page.goto("/accounts/login/")
    sign_in(page, "hanna", f.PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nurse’s day")

    page.get_by_role("button", name="Hanna Hoitaja").click()  # needs the vendored Bootstrap JS
    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Työpari")
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    assert page.errors == []


def test_five_failed_sign_ins_show_the_lockout_page(page, screenshot, nurse):
    page.goto("/accounts/login/")
    for _ in range(4):
        sign_in(page, "hanna", "wrong-guess")
        expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")

    sign_in(page, "hanna", "wrong-guess")

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in temporarily locked")
    expect(page.get_by_text("Try again in 30 minutes.")).to_be_visible()
    screenshot("locked-out")


# The demo logins a newcomer gets from `make run`, and the home page each lands on.
DEMO_JOURNEYS = {
    "koordinaattori": "Coordinator’s overview",
    "koordinaattori2": "Coordinator’s overview",
    "taiteilija": "Artist’s day",
    "hoitaja": "Nurse’s day",
    "esihenkilo": "Manager’s overview",
    "yllapitaja": "Administration",
}


def test_each_demo_user_signs_in_and_lands_on_its_own_home(page, screenshot, settings):
    from django.core.management import call_command

    from pairwork.demo.catalogue import DEMO_PASSWORD

    settings.DEBUG = True  # seed_demo refuses to write otherwise
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    settings.DEBUG = False
    for username, heading in DEMO_JOURNEYS.items():
        page.goto("/accounts/login/")
        sign_in(page, username, DEMO_PASSWORD)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        screenshot(f"demo-home-{username}")
        page.context.clear_cookies()
    assert page.errors == []

"""In Chromium: the cost per sick-leave day keeps its value after saving, in Finnish, Swedish and English.

A number input cannot hold the "400,00" a Finnish or Swedish page writes, so
the browser showed an empty field; the field is now a text input with a
decimal keypad.
"""
from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests import factories as f
from wellbeing.models import SickLeaveCost

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("language", "shown"), [("fi", "400,00"), ("sv", "400,00"), ("en", "400.00")])
def test_the_saved_cost_is_shown_in_the_field(page, sign_in_as, live_server, transactional_db, language, shown):
    manager = f.ManagerFactory(user__username=f"kustannus-{language}")
    sign_in_as(page.context, manager.user)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page.goto("/wellbeing/dashboard/")
    field = page.locator("input[name=cost_per_day]")
    assert field.input_value() != "", "the default cost shows in the field"
    field.fill("400")
    with page.expect_navigation():
        page.locator("form[action*='sick-leave-cost'] button[type=submit]").click()
    assert SickLeaveCost.objects.current().cost_per_day == 400
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("input[name=cost_per_day]")).to_have_value(shown)
    assert page.errors == []

"""The strict Content-Security-Policy breaks nothing the admin and the sign-in pages do (the page fixture fails on any refusal)."""
from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_admin_works_under_the_policy(page, sign_in_as, admin_user, client_record):
    sign_in_as(page.context, admin_user)

    for url in (
        reverse("admin:index"),
        reverse("admin:access_accesslog_changelist"),
        reverse("admin:clients_client_changelist"),
        reverse("admin:clients_client_change", args=[client_record.pk]),
    ):
        page.goto(url)
        expect(page.locator("#content")).to_be_visible()

    assert page.errors == []
    assert page.csp_violations == []


def test_sign_in_and_password_reset_pages_work_under_the_policy(page):
    page.goto(reverse("login"))
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("nobody@example.invalid")
    page.get_by_role("button", name="Send the link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    assert page.errors == []
    assert page.csp_violations == []

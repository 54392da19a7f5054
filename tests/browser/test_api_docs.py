"""/api/docs/ renders in a real browser: Swagger UI, from our own static files, lists the operations."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_signed_in_coordinator_sees_swagger_ui_render_the_api_operations(page, sign_in_as, coordinator, live_server):
    sign_in_as(page.context, coordinator.user)
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Työpari API")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock-summary-path[data-path='/api/v1/visits/{id}/reschedule/']")).to_have_count(1)
    assert page.locator(".opblock").count() > 20
    assert page.errors == []
    assert page.csp_violations == []  # the strict policy holds on Swagger UI too
    # Served from our own static files and schema; never a CDN.
    assert [url for url in requested if not url.startswith(live_server.url)] == []

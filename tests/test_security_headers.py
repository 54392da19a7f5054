"""Every page carries a strict Content-Security-Policy and a Permissions-Policy, and no template needs inline code."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import login

ROOT = Path(__file__).resolve().parent.parent
PROJECT_APPS = ["pairwork", "clients", "visits", "wellbeing", "access"]

PAGES = [
    ("login", None),
    ("password_reset", None),
    ("home", "nurse"),
    ("home", "coordinator"),
    ("visits:calendar", "coordinator"),
    ("wellbeing:dashboard", "manager"),
    ("api-docs", "coordinator"),
    ("admin:index", "admin_user"),
]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "persona"), PAGES)
def test_each_page_sends_a_strict_content_security_policy(client, request, url_name, persona):
    if persona:
        login(client, request.getfixturevalue(persona))

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "persona"), PAGES)
def test_each_page_denies_camera_microphone_and_location(client, request, url_name, persona):
    if persona:
        login(client, request.getfixturevalue(persona))

    header = client.get(reverse(url_name))["Permissions-Policy"]

    features = dict(part.strip().split("=") for part in header.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


@pytest.mark.django_db
def test_the_api_docs_load_their_start_up_script_as_a_file(client, coordinator):
    login(client, coordinator)

    page = client.get(reverse("api-docs")).content.decode()
    script_src = re.search(r'<script src="([^"]+\?[^"]*script=[^"]*)"', page).group(1).replace("&amp;", "&")
    script = client.get(script_src)

    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "an inline script on /api/docs/"
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


# --- No template relies on what the policy refuses -------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
JAVASCRIPT_URL = re.compile(r"href\s*=\s*[\"']\s*javascript:", re.I)


def project_templates() -> list[Path]:
    folders = [ROOT / "templates"] + [ROOT / app / "templates" for app in PROJECT_APPS]
    return sorted(path for folder in folders if folder.exists() for path in folder.rglob("*.html"))


def test_there_are_templates_to_check():
    assert len(project_templates()) > 20


@pytest.mark.parametrize("template", project_templates(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_has_inline_script_style_or_event_handlers(template):
    text = template.read_text(encoding="utf-8")

    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to a static file"
    assert not INLINE_STYLE.search(text), "inline style: move it to a stylesheet"
    assert not EVENT_HANDLER.search(text), "inline event handler: bind it in a static script"
    assert not JAVASCRIPT_URL.search(text)


def test_the_policy_comes_from_django_csp():
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    assert "django_permissions_policy.PermissionsPolicyMiddleware" in settings.MIDDLEWARE

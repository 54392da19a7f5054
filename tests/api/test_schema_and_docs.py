"""The OpenAPI schema documents every endpoint with its errors, and /api/docs/ is served without a CDN."""
from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

SCHEMA, DOCS = "/api/schema/", "/api/docs/"


@pytest.fixture
def schema(client, db):
    response = client.get(SCHEMA, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_without_generator_warnings(db, tmp_path):
    # --fail-on-warn: an undocumented or ambiguous endpoint fails here, not in an integrator's hands.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_every_operation_documents_401_429_and_its_other_errors(schema):
    for path, operations in schema["paths"].items():
        assert path.startswith("/api/v1/"), path
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "429"} <= codes, (method, path)
            assert codes & {"200", "201", "204"}, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "put", "patch"):
                assert {"400", "403"} <= codes, (method, path)


# One document, not a collection: the dashboard is its tables as the page shows them.
# The free times are computed and ranked, not a stored collection: the search's own `limit`, no pages.
NOT_COLLECTIONS = {"/api/v1/dashboard/", "/api/v1/clients/{client_pk}/free-times/"}


def test_every_list_is_paginated_and_orderable(schema):
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or path.endswith("}/") or path in NOT_COLLECTIONS:
            continue
        names = {p["name"] for p in get.get("parameters", [])}
        assert {"page", "page_size", "ordering"} <= names, path
        assert get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].startswith(
            "#/components/schemas/Paginated"
        ), path


def test_the_visit_list_documents_its_filters(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/visits/"]["get"]["parameters"]}
    assert {"date_from", "date_to", "team", "pair", "client", "status"} <= names


def test_token_and_session_authentication_are_documented(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"] == {
        "type": "apiKey", "in": "header", "name": "Authorization", "description": schemes["tokenAuth"]["description"],
    }
    assert "Token <key>" in schemes["tokenAuth"]["description"]
    assert "cookieAuth" in schemes


def test_the_docs_page_renders_swagger_ui_from_our_own_static_files(client, db):
    response = client.get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    found = re.findall(r'(?:src|href)="([^"]+)"', html)
    # The page's own start-up script is served by the same view (no inline
    # script under the CSP); everything else comes from our static files.
    assert f"{DOCS}?script=" in found
    assets = [a for a in found if a != f"{DOCS}?script="]
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert "cdn" not in html.lower() and "//" not in "".join(a.replace("/static/", "", 1) for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not in the static files"
    start_up = client.get(f"{DOCS}?script=")
    assert start_up.status_code == 200
    assert "/api/schema/" in start_up.content.decode()


def test_a_post_to_an_unknown_api_url_is_a_json_404_not_the_csrf_page(api_as, coordinator):
    client = api_as(coordinator)
    client.handler.enforce_csrf_checks = True
    response = client.post("/api/v1/visits/%C2%9D.%C2%93/cancel/", {"reason": "x"})
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_the_dashboard_is_documented_as_the_object_it_returns(schema):
    for path in ("/api/v1/dashboard/", "/api/v1/dashboard/{slug}/"):
        body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert body.get("type") != "array" and body["$ref"].startswith("#/components/schemas/Dashboard"), path


def test_the_schema_states_the_services_limits(schema):
    from pairwork import limits

    components = schema["components"]["schemas"]
    series = components["ScheduleSeriesRequest"]["properties"]
    assert (series["duration_minutes"]["minimum"], series["duration_minutes"]["maximum"]) == (
        limits.MIN_DURATION_MINUTES, limits.MAX_DURATION_MINUTES,
    )
    assert (series["interval_weeks"]["minimum"], series["interval_weeks"]["maximum"]) == (1, limits.MAX_INTERVAL_WEEKS)
    assert (series["count"]["minimum"], series["count"]["maximum"]) == (1, limits.MAX_OCCURRENCES)
    assert components["RescheduleVisitRequest"]["properties"]["reason"]["maxLength"] == limits.REASON_MAX_LENGTH
    assert components["PatchedClientRequest"]["properties"]["needs_and_wishes"]["maxLength"] == limits.LONG_TEXT_MAX_LENGTH

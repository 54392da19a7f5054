"""Input that used to answer 500 is refused with a 4xx and a message (issue 9, "What we saw" item 3).

Years 9999 and 0001 in every date parameter, a visit on 9999-12-31, JSON
numbers out of range, JSON nested 100,000 deep, a body over the size limit,
OPTIONS on the service circle, the dashboard's month cap with only one
bound, and API text fields longer than the forms allow.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from clients.models import Client, ServiceCircleEntry
from pairwork.models import WorkPair
from tests.api.conftest import api_as, fresh_throttle_counts  # noqa: F401 (fixtures)
from tests.conftest import login
from tests.factories import make_visit
from pairwork.limits import LONG_TEXT_MAX_LENGTH
from visits.models import Visit, VisitNote

WINDOW = "Choose a date between 1.1.2000 and 31.12.2100."
EXTREME_DAYS = ["9999-12-31", "0001-01-01"]
EXTREME_MONTHS = ["9999-12", "0001-01"]


def _page(client, persona):
    login(client, persona)
    return client


# --- Dates in the API ---------------------------------------------------------------------


@pytest.mark.parametrize("day", EXTREME_DAYS)
@pytest.mark.parametrize("parameter", ["date_to", "date_from"])
def test_api_visits_date_filters_refuse_far_years_on_the_parameter(api_as, coordinator, day, parameter):
    response = api_as(coordinator).get("/api/v1/visits/", {parameter: day})
    assert response.status_code == 400
    assert response.json() == {parameter: [WINDOW]}


@pytest.mark.parametrize("day", EXTREME_DAYS)
@pytest.mark.parametrize("parameter", ["since", "until"])
def test_api_client_access_log_refuses_far_years(api_as, coordinator, client_record, day, parameter):
    response = api_as(coordinator).get(f"/api/v1/clients/{client_record.pk}/access-log/", {parameter: day})
    assert response.status_code == 400
    assert response.json() == {parameter: [WINDOW]}


@pytest.mark.parametrize("month", EXTREME_MONTHS)
@pytest.mark.parametrize("parameter", ["start", "end"])
def test_api_dashboard_refuses_far_months(api_as, manager, month, parameter):
    for url in ("/api/v1/dashboard/", "/api/v1/dashboard/staff/"):
        response = api_as(manager).get(url, {parameter: month})
        assert response.status_code == 400, url
        assert response.json() == {parameter: [WINDOW]}


def test_api_dashboard_caps_the_months_when_only_the_start_is_given(api_as, manager):
    response = api_as(manager).get("/api/v1/dashboard/", {"start": "2000-01"})
    assert response.status_code == 400
    assert response.json() == {"start": ["Choose at most 36 months."]}


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_api_pair_active_until_far_year_is_refused_on_the_field(api_as, coordinator, pair, day):
    response = api_as(coordinator).patch(f"/api/v1/pairs/{pair.pk}/", {"active_until": day}, format="json")
    assert response.status_code == 400
    assert response.json() == {"active_until": [WINDOW]}
    assert WorkPair.objects.get(pk=pair.pk).active_until is None


@pytest.mark.parametrize(("starts_at", "ends_at"), [
    ("9999-12-31T10:00:00+02:00", "9999-12-31T11:00:00+02:00"),
    ("9999-12-31T23:00:00Z", "9999-12-31T23:30:00Z"),
    ("9999-12-31T10:00:00", "9999-12-31T11:00:00"),
    ("0001-01-01T00:30:00+02:00", "0001-01-01T01:30:00+02:00"),
])
def test_api_a_visit_on_a_far_day_is_refused(api_as, coordinator, client_record, pair, starts_at, ends_at):
    response = api_as(coordinator).post("/api/v1/visits/", {
        "client": client_record.pk, "pair": pair.pk, "starts_at": starts_at, "ends_at": ends_at,
    }, format="json")
    assert response.status_code == 400
    assert "starts_at" in response.json()
    assert not Visit.objects.exists()


def test_api_a_series_until_a_far_day_is_refused(api_as, coordinator, client_record, pair):
    response = api_as(coordinator).post("/api/v1/visits/series/", {
        "client": client_record.pk, "pair": pair.pk, "first_starts_at": "2030-01-07T10:00:00",
        "duration_minutes": 60, "until": "9999-12-31",
    }, format="json")
    assert response.status_code == 400
    assert response.json() == {"until": [WINDOW]}
    assert not Visit.objects.exists()


# --- Dates on the pages -------------------------------------------------------------------


@pytest.mark.parametrize("day", EXTREME_DAYS)
def test_the_week_calendar_refuses_a_far_week(client, coordinator, day):
    response = _page(client, coordinator).get(reverse("visits:calendar"), {"week": day})
    assert response.status_code == 400
    assert WINDOW in response.content.decode()


@pytest.mark.parametrize("day", EXTREME_DAYS)
def test_the_day_calendar_refuses_a_far_day(client, coordinator, day):
    response = _page(client, coordinator).get(f"/visits/calendar/{day}/")
    assert response.status_code == 400
    assert WINDOW in response.content.decode()


@pytest.mark.parametrize("day", EXTREME_DAYS)
@pytest.mark.parametrize("parameter", ["since", "until"])
def test_the_access_log_page_refuses_far_years_on_the_field(client, coordinator, client_record, day, parameter):
    response = _page(client, coordinator).get(reverse("clients:access_log", args=[client_record.pk]), {parameter: day})
    assert response.status_code == 400
    assert response.context["form"].errors[parameter] == [WINDOW]


@pytest.mark.parametrize("month", EXTREME_MONTHS)
def test_the_dashboard_page_and_csv_refuse_far_months(client, manager, month):
    _page(client, manager)
    page = client.get(reverse("wellbeing:dashboard"), {"end": month})
    assert page.status_code == 400
    assert page.context["form"].errors["end"] == [WINDOW]
    export = client.get(reverse("wellbeing:dashboard_export", args=["staff"]), {"end": month})
    assert export.status_code == 400
    assert WINDOW in export.content.decode()


def test_the_dashboard_page_caps_the_months_when_only_the_start_is_given(client, manager):
    page = _page(client, manager).get(reverse("wellbeing:dashboard"), {"start": "2000-01"})
    assert page.status_code == 400
    assert page.context["form"].errors["start"] == ["Choose at most 36 months."]
    export = client.get(reverse("wellbeing:dashboard_export", args=["staff"]), {"start": "2000-01"})
    assert export.status_code == 400


@pytest.mark.parametrize("day", EXTREME_DAYS)
def test_a_schedule_query_on_a_far_day_is_refused_on_the_date_field(client, coordinator, client_record, day):
    response = _page(client, coordinator).get(reverse("visits:schedule"), {
        "client": client_record.pk, "day": day, "start_time": "23:00", "duration_minutes": 60,
    })
    assert response.status_code == 400
    assert response.context["search"].errors["day"] == [WINDOW]


# --- JSON limits --------------------------------------------------------------------------


def _post_raw(client: APIClient, url: str, body: str | bytes):
    return client.generic("POST", url, body, content_type="application/json")


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1" * 400])
def test_json_numbers_out_of_range_are_a_400(api_as, coordinator, client_record, pair, number):
    body = f'{{"client": {client_record.pk}, "pair": {pair.pk}, "starts_at": "2030-01-07T10:00:00", "ends_at": {number}}}'
    response = _post_raw(api_as(coordinator), "/api/v1/visits/", body)
    assert response.status_code == 400
    assert response.json() == {"detail": "A number in the request is too large."}
    assert not Visit.objects.exists()


def test_json_nested_100000_deep_is_a_400(api_as, coordinator):
    response = _post_raw(api_as(coordinator), "/api/v1/visits/", "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON is nested more than 32 levels deep."}


def test_a_body_over_the_size_limit_is_a_413(api_as, coordinator, client_record, settings):
    body = json.dumps({"needs_and_wishes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = api_as(coordinator).generic("PATCH", f"/api/v1/clients/{client_record.pk}/", body, content_type="application/json")
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert Client.objects.get(pk=client_record.pk).needs_and_wishes == client_record.needs_and_wishes


# --- Text lengths -------------------------------------------------------------------------


def test_api_needs_and_wishes_longer_than_the_form_allows_is_refused_on_the_field(api_as, coordinator, client_record):
    response = api_as(coordinator).patch(
        f"/api/v1/clients/{client_record.pk}/", {"needs_and_wishes": "x" * (LONG_TEXT_MAX_LENGTH + 1)}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["needs_and_wishes"]
    assert Client.objects.get(pk=client_record.pk).needs_and_wishes == client_record.needs_and_wishes


def test_api_a_10_mb_text_is_refused_without_being_stored(api_as, coordinator, client_record):
    response = api_as(coordinator).patch(
        f"/api/v1/clients/{client_record.pk}/", {"needs_and_wishes": "x" * 10_000_000}, format="json"
    )
    assert response.status_code in (400, 413)
    assert Client.objects.get(pk=client_record.pk).needs_and_wishes == client_record.needs_and_wishes


def test_api_a_note_text_longer_than_the_form_allows_is_refused_on_the_field(api_as, pair, client_record):
    visit = make_visit(pair=pair, client=client_record, starts_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2))
    response = api_as(pair.nurse).post(f"/api/v1/visits/{visit.pk}/notes/", {
        "activities": "x" * (LONG_TEXT_MAX_LENGTH + 1), "engagement": 4, "mood_before": 3, "mood_after": 4,
    }, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["activities"]
    assert not VisitNote.objects.exists()


def test_api_a_service_circle_note_longer_than_the_form_allows_is_refused(api_as, coordinator, client_record):
    response = api_as(coordinator).put(f"/api/v1/clients/{client_record.pk}/service-circle/", [
        {"service": "Kotihoito", "organisation": "Kaupunki", "notes": "x" * (LONG_TEXT_MAX_LENGTH + 1)},
    ], format="json")
    assert response.status_code == 400
    assert not ServiceCircleEntry.objects.filter(client=client_record).exists()


# --- OPTIONS ------------------------------------------------------------------------------


def test_options_on_the_service_circle_as_a_coordinator(api_as, coordinator, client_record):
    response = api_as(coordinator).options(f"/api/v1/clients/{client_record.pk}/service-circle/")
    assert response.status_code == 200
    assert response["Allow"]

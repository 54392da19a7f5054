"""The 409 contract: a scheduling conflict from visits.services reaches an API caller as who is busy and when."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from access.models import AccessLog
from pairwork.api_errors import SchedulingConflictSerializer, error_responses
from tests import factories as f
from tests.factories import make_visit
from visits.models import Visit
from visits.services import schedule_visit


def _respond(user, act):
    """What an API view answers when `act` raises (as phase-2 visit endpoints will let the service raise)."""

    class Acting(APIView):
        def post(self, request):
            act()

    request = APIRequestFactory().post("/api/v1/visits/", {}, format="json")
    force_authenticate(request, user=user)
    return Acting.as_view()(request)


def _raise(error: Exception):
    raise error


@pytest.fixture
def start():
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    return dt.datetime.combine(tomorrow, dt.time(10), tzinfo=dt.timezone.utc)


@pytest.fixture
def nurse_busy(pair, client_record, start):
    """Nurse Hanna already visits Helmi 10–11 UTC; a second pair with Hanna is free otherwise."""
    make_visit(pair=pair, client=client_record, starts_at=start)
    return f.WorkPairFactory(team=pair.team, nurse=pair.nurse)


def test_a_clash_from_the_scheduling_service_is_409_naming_the_busy_nurse_and_the_time(
    coordinator, nurse_busy, team, start
):
    other_client = f.ClientFactory(team=team)
    response = _respond(
        coordinator.user,
        lambda: schedule_visit(
            client=other_client, pair=nurse_busy, starts_at=start + dt.timedelta(minutes=30),
            ends_at=start + dt.timedelta(minutes=90), by=coordinator.user,
        ),
    )
    assert response.status_code == 409
    body = response.data
    assert SchedulingConflictSerializer(data=body).is_valid(), body
    [clash] = body["conflicts"]
    assert (clash["kind"], clash["person_name"], clash["role"], clash["staff_id"]) == (
        "person", "Hanna Hoitaja", "nurse", nurse_busy.nurse_id,
    )
    assert dt.datetime.fromisoformat(clash["starts_at"]) == start
    assert dt.datetime.fromisoformat(clash["ends_at"]) == start + dt.timedelta(hours=1)
    assert "Hanna Hoitaja" in body["detail"]
    assert Visit.objects.filter(client=other_client).count() == 0


def test_the_coordinator_sees_the_other_clients_name_and_that_disclosure_is_logged_for_the_api(
    coordinator, nurse_busy, team, start, client_record
):
    other_client = f.ClientFactory(team=team)
    response = _respond(
        coordinator.user,
        lambda: schedule_visit(
            client=other_client, pair=nurse_busy, starts_at=start, ends_at=start + dt.timedelta(hours=1), by=coordinator.user
        ),
    )
    assert response.data["conflicts"][0]["other_client_name"] == str(client_record)
    disclosure = AccessLog.objects.get(client_id=client_record.pk, action="view")
    assert (disclosure.channel, disclosure.allowed) == ("api", True)


def test_the_409_is_documented_with_its_serializer():
    assert error_responses(409)[409].response is SchedulingConflictSerializer


def test_a_services_validation_error_is_a_400_on_its_field(coordinator):
    response = _respond(coordinator.user, lambda: _raise(ValidationError({"consent_date": ["Give the date."]})))
    assert response.status_code == 400
    assert response.data == {"consent_date": ["Give the date."]}


def test_a_services_non_field_error_is_a_400_under_non_field_errors(coordinator):
    response = _respond(coordinator.user, lambda: _raise(ValidationError("Nothing to schedule.")))
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["Nothing to schedule."]}

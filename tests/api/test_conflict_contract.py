"""The 409 contract phase 2 scheduling endpoints raise into: who is busy, in which role, and when."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from pairwork.api_errors import SchedulingConflictError, SchedulingConflictSerializer, error_responses

UTC = dt.timezone.utc


@dataclass
class Busy:
    person: str
    staff_id: int | None
    role: str
    starts_at: dt.datetime
    ends_at: dt.datetime


def _respond_with(exc: Exception):
    class Raising(APIView):
        authentication_classes: list = []
        permission_classes: list = []

        def post(self, request):
            raise exc

    return Raising.as_view()(APIRequestFactory().post("/api/v1/visits/", {}, format="json"))


def test_a_scheduling_conflict_is_a_409_naming_the_busy_person_and_the_time():
    busy = Busy("Hanna Hoitaja", 7, "nurse", dt.datetime(2026, 3, 2, 8, tzinfo=UTC), dt.datetime(2026, 3, 2, 9, tzinfo=UTC))
    response = _respond_with(SchedulingConflictError.from_conflicts([busy], detail="Hanna Hoitaja is busy then."))
    assert response.status_code == 409
    assert response.data == {
        "detail": "Hanna Hoitaja is busy then.",
        "conflicts": [
            {"person": "Hanna Hoitaja", "staff_id": 7, "role": "nurse",
             "starts_at": "2026-03-02T10:00:00+02:00", "ends_at": "2026-03-02T11:00:00+02:00"}
        ],
    }


def test_conflicts_given_as_mappings_and_a_busy_client_are_accepted():
    busy = {"person": "Client", "role": "client", "starts_at": dt.datetime(2026, 3, 2, 8, tzinfo=UTC),
            "ends_at": dt.datetime(2026, 3, 2, 9, tzinfo=UTC)}
    response = _respond_with(SchedulingConflictError.from_conflicts([busy]))
    assert response.status_code == 409
    assert response.data["detail"] == "The visit clashes with another active visit."
    assert response.data["conflicts"][0]["staff_id"] is None
    assert response.data["conflicts"][0]["role"] == "client"


def test_the_409_body_validates_against_its_documented_serializer():
    busy = Busy("Aino Taiteilija", 3, "artist", dt.datetime(2026, 3, 2, 8, tzinfo=UTC), dt.datetime(2026, 3, 2, 9, tzinfo=UTC))
    body = _respond_with(SchedulingConflictError.from_conflicts([busy])).data
    assert SchedulingConflictSerializer(data=body).is_valid(), body
    assert error_responses(409)[409].response is SchedulingConflictSerializer


def test_a_services_validation_error_is_a_400_on_its_field():
    response = _respond_with(ValidationError({"consent_date": ["Give the date."]}))
    assert response.status_code == 400
    assert response.data == {"consent_date": ["Give the date."]}


def test_a_services_non_field_error_is_a_400_under_non_field_errors():
    response = _respond_with(ValidationError("Nothing to schedule."))
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["Nothing to schedule."]}

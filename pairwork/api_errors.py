"""The API's error bodies, documented once, and the single mapping of a scheduling conflict to 409.

Viewsets document their failures with `error_responses(400, 404, ...)` so
every endpoint shows the same shapes in the schema. A scheduling conflict
(PRODUCT.md §4 rule 1) becomes a 409 only through `SchedulingConflictError`:
the scheduling services raise their own exception naming who is busy and
when; the API turns it into this body and nothing else.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in the user's language."))


class BusyPersonSerializer(serializers.Serializer):
    """One person (or the client) who already has an active visit at the requested time."""

    person = serializers.CharField(help_text=_("Display name of the busy person."))
    staff_id = serializers.IntegerField(allow_null=True, help_text=_("Staff profile id; null when the client is busy."))
    role = serializers.ChoiceField(choices=["artist", "nurse", "client"], help_text=_("Why the person takes part."))
    starts_at = serializers.DateTimeField(help_text=_("Start of the clashing visit."))
    ends_at = serializers.DateTimeField(help_text=_("End of the clashing visit (exclusive: back-to-back is allowed)."))


class SchedulingConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    conflicts = BusyPersonSerializer(many=True)


class SchedulingConflictError(APIException):
    """409 Conflict with who is busy and when. Raise with `from_conflicts`."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The visit clashes with another active visit.")
    default_code = "conflict"

    @classmethod
    def from_conflicts(cls, busy: Iterable[Any], detail: str | None = None) -> "SchedulingConflictError":
        """`busy`: objects or mappings with person, staff_id (optional), role, starts_at, ends_at."""
        conflicts = [_as_mapping(entry) for entry in busy]
        body = SchedulingConflictSerializer({"detail": str(detail or cls.default_detail), "conflicts": conflicts}).data
        error = cls(detail=body["detail"])
        # The body, already rendered (aware datetimes as ISO 8601), replaces DRF's {"detail": ...}.
        error.body = dict(body)
        return error


def _as_mapping(entry: Any) -> Mapping[str, Any]:
    if isinstance(entry, Mapping):
        return {"staff_id": None, **entry}
    return {
        "person": str(entry.person),
        "staff_id": getattr(entry, "staff_id", None),
        "role": entry.role,
        "starts_at": entry.starts_at,
        "ends_at": entry.ends_at,
    }


def exception_handler(exc, context):
    """DRF's handler, plus (settings: EXCEPTION_HANDLER):

    * a service's django ValidationError becomes 400 with the messages on their fields,
      the same shape as a serializer's;
    * SchedulingConflictError gets its documented 409 body.
    """
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail={
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in detail.items()
        })
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, SchedulingConflictError) and hasattr(exc, "body"):
        response.data = exc.body
    return response


VALIDATION_ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description=_("Bad input: an object whose keys are the fields (or non_field_errors) and values lists of messages."),
    examples=[OpenApiExample("Field error", value={"consent_date": ["Give the date consent was recorded."]})],
)

_DESCRIPTIONS = {
    400: VALIDATION_ERROR,
    401: OpenApiResponse(ErrorSerializer, description=_("No valid session or token (send Authorization: Token <key>).")),
    403: OpenApiResponse(ErrorSerializer, description=_("Your role may not do this.")),
    404: OpenApiResponse(
        ErrorSerializer, description=_("Not found, or outside your scope: the API does not reveal whether it exists.")
    ),
    409: OpenApiResponse(
        SchedulingConflictSerializer,
        description=_("Someone is already busy then: who, in which role, and the clashing time."),
        examples=[
            OpenApiExample(
                "Nurse busy",
                value={
                    "detail": "Hanna Hoitaja already has a visit at that time.",
                    "conflicts": [
                        {"person": "Hanna Hoitaja", "staff_id": 7, "role": "nurse",
                         "starts_at": "2026-03-02T08:00:00Z", "ends_at": "2026-03-02T09:00:00Z"}
                    ],
                },
            )
        ],
    ),
    429: OpenApiResponse(ErrorSerializer, description=_("Too many requests; retry after the given number of seconds.")),
}

def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses for these status codes (401 and 429 always apply)."""
    return {code: _DESCRIPTIONS[code] for code in sorted({*codes, 401, 429})}


def with_errors(success: dict[int, Any], *codes: int) -> dict[int, Any]:
    """`success` responses plus the documented errors, for extend_schema(responses=...)."""
    return {**success, **error_responses(*codes)}

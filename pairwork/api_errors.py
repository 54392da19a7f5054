"""The API's error bodies, documented once, and the single mapping of a scheduling conflict to 409.

Viewsets document their failures with `with_errors({...}, 400, 404, ...)` so
every endpoint shows the same shapes in the schema. A double booking
(docs/rules.md rule 1) is refused by PostgreSQL, explained by
visits.conflicts as a SchedulingConflict, and answered through this
handler, for any view that lets it through, as 409 with
`SchedulingConflict.as_dict()`: who is busy, in which role, and when. The
documented shape is `SchedulingConflictSerializer`; nothing else builds a 409.

The app that raises a domain error registers its answer (`answer`, in its
AppConfig.ready), so this module imports no app above it (docs/rules.md
"Layers").
"""
from __future__ import annotations

from typing import Any, Callable

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

# exception class -> how to answer it: (the exception, the request or None) -> Response
_ANSWERS: dict[type[Exception], Callable[[Exception, Any], Response]] = {}


def answer(exception_class: type[Exception], respond: Callable[[Exception, Any], Response]) -> None:
    """Answer `exception_class` (raised by a service, let through by a view) with `respond(exc, request)`."""
    _ANSWERS[exception_class] = respond


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in the user's language."))


class ClashSerializer(serializers.Serializer):
    """One reason the time is taken: a busy person, or the client already visited then."""

    kind = serializers.ChoiceField(
        choices=["person", "client", "absence"],
        help_text=_("A busy person, the client's other visit, or an absence: the person's (with staff_id) or the client's."),
    )
    starts_at = serializers.DateTimeField(help_text=_("Start of the clashing visit."))
    ends_at = serializers.DateTimeField(help_text=_("End of the clashing visit (exclusive: back-to-back is allowed)."))
    staff_id = serializers.IntegerField(allow_null=True, help_text=_("The busy staff member; null when the client is busy."))
    person_name = serializers.CharField(allow_blank=True)
    role = serializers.ChoiceField(choices=["", "artist", "nurse"], allow_blank=True, help_text=_("The busy person's role."))
    client_name = serializers.CharField(allow_blank=True, help_text=_("The client, when the client is busy."))
    other_client_name = serializers.CharField(
        allow_blank=True, help_text=_("Whom the busy person visits then, only if the caller may see that client.")
    )
    other_visit_id = serializers.IntegerField(allow_null=True, help_text=_("That visit, on the same condition."))
    absence_kind = serializers.ChoiceField(
        choices=["", "sick_leave", "holiday", "training"], allow_blank=True, help_text=_("Why the person is absent, for kind 'absence'.")
    )
    message = serializers.CharField(help_text=_("The clash in one sentence, in the user's language."))


class RequestedSlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class SchedulingConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    requested = RequestedSlotSerializer()
    conflicts = ClashSerializer(many=True)


def exception_handler(exc, context):
    """DRF's handler (settings: EXCEPTION_HANDLER), plus the two domain errors the services raise:

    * a django ValidationError becomes 400 with its messages on their fields,
      the same shape as a serializer's;
    * a registered domain error gets its app's answer: a SchedulingConflict
      becomes 409 with who is busy and when (visits.apps).
    """
    for exception_class, respond in _ANSWERS.items():
        if isinstance(exc, exception_class):
            return respond(exc, context.get("request"))
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        exc = ValidationError(
            detail={(api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
                    for field, messages in detail.items()}
        )
    return drf_exception_handler(exc, context)


VALIDATION_ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description=_("Bad input: an object whose keys are the fields (or non_field_errors) and values lists of messages."),
    examples=[OpenApiExample("Field error", value={"consent_date": ["The consent date cannot be in the future."]})],
)

_ERRORS_OBJECT = {"type": "object", "additionalProperties": {}}

LIST_VALIDATION_ERROR = OpenApiResponse(
    # An entry that is not an object at all (e.g. null) gets its messages as a plain list, as DRF answers.
    response={"oneOf": [_ERRORS_OBJECT, {"type": "array", "items": {
        "oneOf": [_ERRORS_OBJECT, {"type": "array", "items": {"type": "string"}}],
    }}]},
    description=_("Bad input in a list body: one object of field errors per entry sent, in order "
                  "(empty for a valid entry); or one object when the body is not a list."),
    examples=[OpenApiExample("Entry error", value=[{}, {"email": ["Enter a valid e-mail address."]}])],
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
                    "detail": "Hanna Hoitaja (Nurse) is busy 2.3.2026 10:00–11:00 (another visit).",
                    "requested": {"starts_at": "2026-03-02T08:30:00+00:00", "ends_at": "2026-03-02T09:30:00+00:00"},
                    "conflicts": [
                        {
                            "kind": "person", "starts_at": "2026-03-02T08:00:00+00:00",
                            "ends_at": "2026-03-02T09:00:00+00:00", "staff_id": 7, "person_name": "Hanna Hoitaja",
                            "role": "nurse", "client_name": "", "other_client_name": "", "other_visit_id": None,
                            "absence_kind": "", "message": "Hanna Hoitaja (Nurse) is busy 2.3.2026 10:00–11:00 (another visit).",
                        }
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

"""Visit notes over the API: the participants' own accounts of a visit, through visits.notes.

Who: everyone who may see the visit reads its notes (its artist and nurse, the
team's coordinators, administrators); only the visit's own artist and nurse
write, each their own note, editable for 48 hours (the service's rule). Anyone
else gets 404. Each request leaves one access-log row with channel "api": a
read or a refusal by the lookup, a saved note by its service.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from access import guard
from access.choices import Channel, ObjectType
from access.log import log_access
from access.models import AccessLog
from access.policy import Policy, policy
from pairwork.api_errors import with_errors
from pairwork.api_lookups import path_id
from access.api_permissions import PairMembersWrite

from . import notes
from .models import Visit, VisitNote
from .serializers import VisitNoteSerializer

CHANNEL = Channel.API

VISIT_PK = OpenApiParameter("visit_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The visit's id.")


@extend_schema_view(
    list=extend_schema(
        summary="A visit's notes",
        description="Both participants' notes. Read by the visit's artist and nurse, the team's coordinators and administrators.",
        responses=with_errors({200: VisitNoteSerializer(many=True)}, 403, 404),
    ),
    retrieve=extend_schema(summary="A visit note", responses=with_errors({200: VisitNoteSerializer}, 403, 404)),
    create=extend_schema(
        summary="Write your note for the visit",
        description="The visit's own artist or nurse, from the day of the visit on, once (then edit it).",
        responses=with_errors({201: VisitNoteSerializer}, 400, 403, 404),
    ),
    update=extend_schema(
        summary="Edit your note", description="Only its author, within 48 hours of writing it; each edit is a new version.",
        responses=with_errors({200: VisitNoteSerializer}, 400, 403, 404),
    ),
    partial_update=extend_schema(
        summary="Edit your note (partly)", responses=with_errors({200: VisitNoteSerializer}, 400, 403, 404),
    ),
)
@extend_schema(tags=["visits"], parameters=[VISIT_PK])
class VisitNoteViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [PairMembersWrite]
    serializer_class = VisitNoteSerializer
    ordering_fields = ["created_at"]
    ordering = ["participant__role", "id"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The visit is resolved once, after authentication and permissions, so an
        # outsider learns nothing and each request is logged once.
        visit_pk = path_id(self.kwargs["visit_pk"])
        if request.method in ("GET", "HEAD", "OPTIONS"):
            self.visit, self.access = guard.fetch(
                request.user, ObjectType.VISIT, visit_pk, log_as=ObjectType.VISIT_NOTES, channel=CHANNEL
            )
        else:
            self.visit, self.access = guard.fetch(
                request.user, ObjectType.VISIT, visit_pk, rule=Policy.participant_access,
                log_as=notes.NOTE_OBJECT, action=AccessLog.Action.UPDATE, channel=CHANNEL,
            )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is generated without a request
            return VisitNote.objects.none()
        return VisitNote.objects.filter(participant__visit=self.visit).select_related("participant__staff__user")

    def get_object(self) -> VisitNote:
        note = self.get_queryset().filter(pk=path_id(self.kwargs["pk"])).first()
        if note is None:
            raise NotFound
        return note

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        participant = notes.participation_of(self.visit, policy(request.user).profile)
        note = notes.log_visit_note(participant=participant, by=request.user, content=serializer.validated_data, channel=CHANNEL)
        return Response(self.get_serializer(self._read_back(note)).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        access = policy(self.request.user).note_author_access(serializer.instance)
        if not access:
            # Refused here, outside the service's transaction, so that the denied row is kept.
            log_access(
                user=self.request.user, client_id=self.visit.client_id, object_type=notes.NOTE_OBJECT,
                object_id=serializer.instance.pk, action=AccessLog.Action.UPDATE, access=access, channel=CHANNEL,
            )
            raise DjangoValidationError(notes.not_the_author_message())
        note = notes.edit_visit_note(
            note=serializer.instance, by=self.request.user, content=serializer.validated_data, channel=CHANNEL
        )
        serializer.instance = self._read_back(note)

    def _read_back(self, note: VisitNote) -> VisitNote:
        return self.get_queryset().get(pk=note.pk)


def visit_for_outcome(request, pk) -> Visit:
    """The visit whose outcome a participant marks, or a logged refusal and 404 (the service logs the change)."""
    visit, _access = guard.fetch(
        request.user, ObjectType.VISIT, path_id(pk), rule=Policy.participant_access,
        action=AccessLog.Action.UPDATE, channel=CHANNEL,
    )
    return visit

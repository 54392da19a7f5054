"""Visits, series and notes in the admin: read-only, every page logged.

Scheduling, moving and cancelling go through visits.services (the
coordinator's pages); a note is its author's own account, edited only by
them through visits.notes, which keeps a version of every save. Writing
here would bypass the history, the notifications and the access log.
"""
from django.contrib import admin

from access.admin import ClientDataAdmin, ReadOnlyAdmin
from access.choices import ObjectType

from .models import (
    AbsenceCancellation, ClientAbsence, StaffAbsence, Visit, VisitEvent, VisitNote, VisitNoteVersion, VisitParticipant, VisitSeries,
)


class VisitParticipantInline(ReadOnlyAdmin, admin.TabularInline):
    model = VisitParticipant
    extra = 0
    fields = ["staff", "role"]


class VisitEventInline(ReadOnlyAdmin, admin.TabularInline):
    model = VisitEvent
    extra = 0
    fields = ["kind", "previous_starts_at", "starts_at", "status", "reason", "by", "at"]


@admin.register(Visit)
class VisitAdmin(ClientDataAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    log_object_type = ObjectType.VISIT
    list_display = ["starts_at", "ends_at", "pair", "status", "series"]
    list_filter = ["status", "pair__team"]
    search_fields = ["=id", "pair__artist__user__last_name", "pair__nurse__user__last_name"]
    date_hierarchy = "starts_at"
    inlines = [VisitParticipantInline, VisitEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("pair__artist__user", "pair__nurse__user", "series")


@admin.register(VisitSeries)
class VisitSeriesAdmin(ClientDataAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    log_object_type = ObjectType.VISIT_SERIES
    list_display = ["__str__", "pair", "first_starts_at", "interval_weeks", "until", "count"]


class VisitNoteVersionInline(ReadOnlyAdmin, admin.TabularInline):
    model = VisitNoteVersion
    extra = 0
    fields = ["version", "content", "saved_by", "saved_at"]


@admin.register(VisitNote)
class VisitNoteAdmin(ClientDataAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    log_object_type = ObjectType.VISIT_NOTE
    list_display = ["__str__", "participant", "engagement", "mood_before", "mood_after", "updated_at"]
    inlines = [VisitNoteVersionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant__visit", "participant__staff__user")

    def client_id_of(self, note) -> int:
        return note.participant.visit.client_id


class AbsenceCancellationInline(ReadOnlyAdmin, admin.TabularInline):
    model = AbsenceCancellation
    extra = 0
    fields = ["visit", "restored_at"]


@admin.register(ClientAbsence)
class ClientAbsenceAdmin(ClientDataAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: recording, shortening and withdrawing go through visits.client_absences (the client page)."""

    log_object_type = ObjectType.CLIENT
    list_display = ["__str__", "kind", "starts_on", "ends_on", "withdrawn_at"]
    list_filter = ["kind"]
    inlines = [AbsenceCancellationInline]


@admin.register(StaffAbsence)
class StaffAbsenceAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: absences are recorded, shortened and withdrawn through visits.absences (the Absences page)."""

    list_display = ["person", "kind", "starts_at", "ends_at", "all_day", "withdrawn_at"]
    list_filter = ["kind", "all_day"]
    search_fields = ["person__user__last_name", "person__user__first_name"]
    date_hierarchy = "starts_at"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person__user")

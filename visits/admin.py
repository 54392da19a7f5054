from django.contrib import admin

from .models import Visit, VisitEvent, VisitNote, VisitNoteVersion, VisitParticipant, VisitSeries


class VisitParticipantInline(admin.TabularInline):
    model = VisitParticipant
    extra = 0
    fields = ["staff", "role"]
    autocomplete_fields = ["staff"]


class VisitEventInline(admin.TabularInline):
    model = VisitEvent
    extra = 0
    readonly_fields = ["kind", "previous_starts_at", "starts_at", "status", "reason", "by", "at"]
    fields = readonly_fields
    can_delete = False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "ends_at", "pair", "status", "series"]
    list_filter = ["status", "pair__team"]
    search_fields = ["=id", "pair__artist__user__last_name", "pair__nurse__user__last_name"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["client", "pair", "series"]
    inlines = [VisitParticipantInline, VisitEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("pair__artist__user", "pair__nurse__user", "series")


@admin.register(VisitSeries)
class VisitSeriesAdmin(admin.ModelAdmin):
    list_display = ["__str__", "pair", "first_starts_at", "interval_weeks", "until", "count"]
    raw_id_fields = ["client", "pair"]


class VisitNoteVersionInline(admin.TabularInline):
    model = VisitNoteVersion
    extra = 0
    readonly_fields = ["version", "content", "saved_by", "saved_at"]
    can_delete = False


@admin.register(VisitNote)
class VisitNoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "participant", "engagement", "mood_before", "mood_after", "updated_at"]
    raw_id_fields = ["participant"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [VisitNoteVersionInline]

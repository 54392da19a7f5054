from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .admin_labels import LabelledInputs, LabelledTabularInline
from .models import StaffProfile, Team, WeeklyAvailability, WorkPair


@admin.register(Team)
class TeamAdmin(LabelledInputs, admin.ModelAdmin):
    list_display = ["name", "area", "created_at"]
    search_fields = ["name", "area"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a team with clients is refused by the database (PROTECT), and
        # its confirmation page would list the clients' names: a read of client
        # data outside the access log. Move or archive the clients first.
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.clients.exists())


class WeeklyAvailabilityInline(LabelledTabularInline):
    model = WeeklyAvailability
    extra = 0


@admin.register(StaffProfile)
class StaffProfileAdmin(LabelledInputs, admin.ModelAdmin):
    list_display = ["display_name", "role", "team_names", "organisation_wide"]
    list_filter = ["role", "teams", "organisation_wide"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["teams"]
    inlines = [WeeklyAvailabilityInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("teams")

    @admin.display(description=_("teams"))
    def team_names(self, obj: StaffProfile) -> str:
        return ", ".join(team.name for team in obj.teams.all())


@admin.register(WorkPair)
class WorkPairAdmin(LabelledInputs, admin.ModelAdmin):
    list_display = ["__str__", "team", "active_from", "active_until"]
    list_filter = ["team", "active_until"]
    search_fields = ["artist__user__last_name", "nurse__user__last_name", "team__name"]
    autocomplete_fields = ["artist", "nurse"]
    date_hierarchy = "active_from"

    def get_queryset(self, request):
        return super().get_queryset(request).with_people()

admin.site.site_header = _("Työpari administration")
admin.site.site_title = _("Työpari")

from .api_tokens_admin import ApiTokenAdmin  # noqa: E402,F401  (registers the API token admin)

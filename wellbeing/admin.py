"""Administrators manage instruments here. An answered version is read-only; change it by making a new version.

Responses are deliberately not in the admin: client answers are read only
through views that write the access log.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Instrument, Item, Scale, SickLeaveCost

FROZEN_INSTRUMENT_FIELDS = ("code", "version", "audience", "time_points")


def _is_answered(instrument: Instrument | None) -> bool:
    return instrument is not None and instrument.pk is not None and instrument.responses.exists()


class _FrozenWhenAnsweredInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _is_answered(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _is_answered(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _is_answered(obj)


class ScaleInline(_FrozenWhenAnsweredInline):
    model = Scale
    fields = (
        "position", "code", "name_fi", "name_sv", "name_en", "rule", "max_missing", "higher_is_better",
        "minimal_important_change",
    )


class ItemInline(_FrozenWhenAnsweredInline):
    model = Item
    fields = (
        "position", "code", "scale", "text_fi", "text_sv", "text_en", "scale_min", "scale_max",
        "min_label_fi", "min_label_sv", "min_label_en", "max_label_fi", "max_label_sv", "max_label_en",
        "reverse_scored", "required",
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the scales of the instrument being edited.
        if db_field.name == "scale":
            instrument_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Scale.objects.filter(instrument_id=instrument_id) if instrument_id else Scale.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "name_fi", "audience", "is_active", "answered")
    list_filter = ("audience", "is_active")
    search_fields = ("code", "name_fi", "name_sv", "name_en")
    inlines = [ScaleInline, ItemInline]
    actions = ["make_new_version"]

    @admin.display(boolean=True, description=_("answered"))
    def answered(self, obj: Instrument) -> bool:
        return obj.responses.exists()

    def get_readonly_fields(self, request, obj=None):
        return FROZEN_INSTRUMENT_FIELDS if _is_answered(obj) else ()

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _is_answered(obj)

    @admin.action(description=_("Make a new version to edit (the old one is taken out of use)"))
    def make_new_version(self, request, queryset):
        copies = [services.create_instrument_version(instrument=instrument) for instrument in queryset]
        self.message_user(
            request,
            ngettext("%(count)d new version created.", "%(count)d new versions created.", len(copies)) % {"count": len(copies)},
            messages.SUCCESS,
        )


@admin.register(SickLeaveCost)
class SickLeaveCostAdmin(admin.ModelAdmin):
    list_display = ("cost_per_day", "set_by", "set_at")
    readonly_fields = ("set_by", "set_at")

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)

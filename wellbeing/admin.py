"""Administrators manage instruments here. An answered version is read-only; change it by making a new version.

Responses are deliberately not in the admin: client answers are read only
through views that write the access log.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pairwork.admin_labels import LabelledTabularInline

from . import services
from .instrument_files import MAX_FILE_BYTES, instrument_file, parse_instrument_file
from .models import Instrument, Item, Scale, SickLeaveCost

FROZEN_INSTRUMENT_FIELDS = ("code", "version", "audience", "time_points")


class InstrumentFileForm(forms.Form):
    file = forms.FileField(
        label=_("Instrument file (JSON)"),
        help_text=_("A file exported from Työpari or written by the format in docs/instrument-files.md."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("The file is larger than %(limit)s bytes.") % {"limit": MAX_FILE_BYTES})
        return upload


def _is_answered(instrument: Instrument | None) -> bool:
    return instrument is not None and instrument.pk is not None and instrument.responses.exists()


class _FrozenWhenAnsweredInline(LabelledTabularInline):
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
    actions = ["make_new_version", "export_as_file"]
    change_list_template = "admin/wellbeing/instrument/change_list.html"

    def get_urls(self):
        import_view = self.admin_site.admin_view(self.import_from_file)
        return [path("import/", import_view, name="wellbeing_instrument_import"), *super().get_urls()]

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


    @admin.action(description=_("Export as a file (JSON)"))
    def export_as_file(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one instrument to export: a file holds one instrument version."), messages.ERROR)
            return None
        instrument = queryset.get()
        response = HttpResponse(instrument_file(instrument), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{instrument.code}-v{instrument.version}.json"'
        return response

    def import_from_file(self, request):
        """Upload an instrument file: a new version of its code (or version 1), with every error on its field."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InstrumentFileForm(request.POST or None, request.FILES or None)
        file_errors = {}
        if request.method == "POST" and form.is_valid():
            try:
                definition = parse_instrument_file(form.cleaned_data["file"].read())
            except ValidationError as error:
                file_errors = error.message_dict
            else:
                instrument = services.import_instrument(definition=definition)
                self.message_user(
                    request,
                    _("Imported %(instrument)s. It is now the version in use; older versions keep their answers.")
                    % {"instrument": instrument},
                    messages.SUCCESS,
                )
                return redirect("admin:wellbeing_instrument_change", instrument.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import an instrument from a file"),
            "opts": self.model._meta,
            "form": form,
            "file_errors": sorted(file_errors.items()),
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/wellbeing/instrument/import.html", context, status=status)


@admin.register(SickLeaveCost)
class SickLeaveCostAdmin(admin.ModelAdmin):
    list_display = ("cost_per_day", "set_by", "set_at")
    readonly_fields = ("set_by", "set_at")

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)

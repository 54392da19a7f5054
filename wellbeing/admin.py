from django.contrib import admin

from .models import Answer, Instrument, Item, ResponseScore, Scale, SurveyResponse


class ScaleInline(admin.TabularInline):
    model = Scale
    extra = 0


class ItemInline(admin.StackedInline):
    model = Item
    extra = 0


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "name_fi", "audience", "is_active"]
    list_filter = ["audience", "is_active"]
    search_fields = ["code", "name_fi", "name_sv", "name_en"]
    inlines = [ScaleInline, ItemInline]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = ["item", "value"]
    can_delete = False


class ResponseScoreInline(admin.TabularInline):
    model = ResponseScore
    extra = 0
    readonly_fields = ["scale", "value", "answered"]
    can_delete = False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["instrument", "time_point", "team", "period", "submitted_at"]
    list_filter = ["instrument", "time_point", "team"]
    date_hierarchy = "submitted_at"
    raw_id_fields = ["respondent", "client", "visit", "series", "recorded_by"]
    inlines = [AnswerInline, ResponseScoreInline]

"""Forms for staff absences: the coordinator's record form, shortening, and the phone's "report sick"."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pairwork.limits import date_in_window, date_window_message
from pairwork.timing import LocalTimeError, local_moment

from .absences import NOTE_MAX_LENGTH, all_day_range
from .models import AbsenceKind

# Service keys -> form fields (pairwork.form_errors.add_service_errors).
FIELD_MAP = {"starts_at": "first_day", "ends_at": "last_day"}


def _in_window(day: dt.date | None) -> dt.date | None:
    if day is not None and not date_in_window(day):
        raise forms.ValidationError(date_window_message())
    return day


class AbsenceForm(forms.Form):
    """A coordinator records someone's absence: whole days, or from a time to a time."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=AbsenceKind.choices)
    first_day = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    all_day = forms.BooleanField(label=_("All day"), required=False, initial=True)
    start_time = forms.TimeField(
        label=_("From (time, first day)"), required=False, widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Only when not all day."),
    )
    end_time = forms.TimeField(
        label=_("Until (time, last day)"), required=False, widget=forms.TimeInput(attrs={"type": "time"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH,
        help_text=_("Short, for the team; nothing about a client or anyone's health."),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda person: f"{person.display_name} ({person.get_role_display()})"

    def clean_first_day(self):
        return _in_window(self.cleaned_data.get("first_day"))

    def clean_last_day(self):
        return _in_window(self.cleaned_data.get("last_day"))

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first is None or last is None:
            return data
        if last < first:
            self.add_error("last_day", _("The last day is before the first day."))
            return data
        if data.get("all_day"):
            data["starts_at"], data["ends_at"] = all_day_range(first, last)
            return data
        start_time, end_time = data.get("start_time"), data.get("end_time")
        if start_time is None:
            self.add_error("start_time", _("Give the time, or tick 'All day'."))
        if end_time is None:
            self.add_error("end_time", _("Give the time, or tick 'All day'."))
        if start_time is None or end_time is None:
            return data
        try:
            data["starts_at"] = local_moment(first, start_time)
        except LocalTimeError as error:
            self.add_error("start_time", error.message)
        try:
            data["ends_at"] = local_moment(last, end_time)
        except LocalTimeError as error:
            self.add_error("end_time", error.message)
        return data


class ShortenForm(forms.Form):
    """The person is back sooner: the new last day of an all-day absence."""

    last_day = forms.DateField(label=_("New last day"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_last_day(self):
        return _in_window(self.cleaned_data.get("last_day"))


class ReportSickForm(forms.Form):
    """An artist or nurse on the phone: sick today, or until a date."""

    last_day = forms.DateField(
        label=_("Sick until (last day)"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for today only."),
    )

    def clean_last_day(self):
        day = _in_window(self.cleaned_data.get("last_day")) or timezone.localdate()
        if day < timezone.localdate():
            raise forms.ValidationError(_("The last day is before today."))
        return day

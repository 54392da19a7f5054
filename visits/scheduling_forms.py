"""Forms of the scheduling pages. Times are entered on the Helsinki wall clock."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from pairwork.models import WorkPair
from pairwork.pair_forms import DateInput

from pairwork.limits import (
    MAX_DURATION_MINUTES, MAX_INTERVAL_WEEKS, MAX_OCCURRENCES, MIN_DURATION_MINUTES, REASON_MAX_LENGTH,
    validate_date_in_window,
)
from .services import Scope
from pairwork.timing import LocalTimeError, end_after, local_moment

DURATION_CHOICES = [
    (m, _("%(minutes)d min") % {"minutes": m})
    for m in (30, 45, 60, 75, 90, 120, 150, 180, 240) if MIN_DURATION_MINUTES <= m <= MAX_DURATION_MINUTES
]
# Where each service error key is shown on these forms.
SERVICE_FIELD_MAP = {"starts_at": "start_time", "ends_at": "duration_minutes"}


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ClientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, client: Client) -> str:
        return f"{client.last_name}, {client.first_name} ({client.area})"


class SlotForm(forms.Form):
    """When: a day, a local start time and a duration."""

    day = forms.DateField(label=_("Date"), widget=DateInput(), validators=[validate_date_in_window])
    start_time = forms.TimeField(label=_("Start time"), widget=TimeInput())
    duration_minutes = forms.TypedChoiceField(label=_("Duration"), choices=DURATION_CHOICES, coerce=int, initial=60)

    def clean(self):
        data = super().clean()
        day, start_time, minutes = data.get("day"), data.get("start_time"), data.get("duration_minutes")
        if day is None or start_time is None or minutes is None:
            return data
        try:
            starts_at = local_moment(day, start_time)  # one moment, or an error on the time (clock changes)
        except LocalTimeError as problem:
            self.add_error("start_time", ValidationError(problem.message, code=problem.code))
            return data
        # A moment in the past is an error on the field the user must change
        # (the day when it is before today, else the time), and leaves no
        # starts_at behind: nothing may be suggested or booked for it.
        if day < timezone.localdate():
            self.add_error("day", _("This date is in the past. Choose today or a later date."))
            return data
        if starts_at < timezone.now():
            self.add_error("start_time", _("This time is in the past. Choose a later time."))
            return data
        data["starts_at"] = starts_at
        data["ends_at"] = end_after(starts_at, dt.timedelta(minutes=minutes))  # real minutes
        return data


class VisitSearchForm(SlotForm):
    """Step 1 of scheduling: the client and the time; the page then suggests pairs."""

    client = ClientChoiceField(label=_("Client"), queryset=Client.objects.none())
    field_order = ["client", "day", "start_time", "duration_minutes"]

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients

    def clean_client(self):
        client = self.cleaned_data["client"]
        if not client.consent_given:
            raise ValidationError(_(
                "The client's consent has not been recorded. Record the consent on the client's page before scheduling visits."
            ))
        return client


class ScheduleVisitForm(VisitSearchForm):
    """Step 2: the chosen pair, and optionally a weekly recurrence."""

    END_CHOICES = [("count", _("after a number of visits")), ("until", _("on a date"))]

    pair = forms.ModelChoiceField(
        label=_("Pair"), queryset=WorkPair.objects.none(), widget=forms.RadioSelect, empty_label=None,
        error_messages={"required": _("Choose one of the suggested pairs.")},
    )
    repeat = forms.BooleanField(label=_("Repeat weekly"), required=False)
    interval_weeks = forms.IntegerField(label=_("Every … weeks"), min_value=1, max_value=MAX_INTERVAL_WEEKS, initial=1, required=False)
    ends = forms.ChoiceField(label=_("Ends"), choices=END_CHOICES, widget=forms.RadioSelect, initial="count", required=False)
    count = forms.IntegerField(label=_("Number of visits"), min_value=1, max_value=MAX_OCCURRENCES, initial=6, required=False)
    until = forms.DateField(label=_("Last date"), widget=DateInput(), required=False, validators=[validate_date_in_window])

    def __init__(self, *args, pairs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pair"].queryset = pairs

    def clean(self):
        data = super().clean()
        if not data.get("repeat"):
            return data
        if not data.get("interval_weeks"):
            self.add_error("interval_weeks", _("How many weeks apart?"))
        if data.get("ends") == "until":
            if not data.get("until"):
                self.add_error("until", _("Give the last date of the series."))
            data["count"] = None
        else:
            if not data.get("count"):
                self.add_error("count", _("Give the number of visits."))
            data["until"] = None
        return data


class ChangeScopeMixin(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
    scope = forms.ChoiceField(label=_("Which visits"), choices=Scope.choices, widget=forms.RadioSelect, initial=Scope.THIS)

    def drop_scope_unless_series(self, in_series: bool) -> None:
        if not in_series:
            del self.fields["scope"]

    @property
    def chosen_scope(self) -> str:
        return self.cleaned_data.get("scope") or Scope.THIS


class RescheduleForm(SlotForm, ChangeScopeMixin):
    field_order = ["day", "start_time", "duration_minutes", "scope", "reason"]


class CancelForm(ChangeScopeMixin):
    field_order = ["scope", "reason"]

"""Forms of the client-absence and free-time pages. Days and times are on the Helsinki wall clock."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import TIME_OF_DAY_HOURS, Client, TimeOfDay
from pairwork.choices import Weekday
from pairwork.limits import REASON_MAX_LENGTH, validate_date_in_window
from pairwork.models import WorkPair
from pairwork.pair_forms import DateInput

from .models import ClientAbsence
from .scheduling_forms import DURATION_CHOICES, ClientChoiceField, TimeInput


class AbsenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ClientAbsence.Kind.choices)
    starts_on = forms.DateField(label=_("First day"), widget=DateInput(), validators=[validate_date_in_window])
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput(), validators=[validate_date_in_window],
                              help_text=_("The client is away from the first to the last day, both included."))
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For coordinators only. The pair is told only that the client is away."),
    )


class ShortenAbsenceForm(forms.Form):
    starts_on = forms.DateField(label=_("First day"), widget=DateInput(), validators=[validate_date_in_window])
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput(), validators=[validate_date_in_window])


class FreeTimeForm(forms.Form):
    """What to look for; read from the query string (client ids only, never a name)."""

    client = ClientChoiceField(label=_("Client"), queryset=Client.objects.none())
    pair = forms.ModelChoiceField(label=_("Pair"), queryset=WorkPair.objects.none(), required=False,
                                  empty_label=_("Any pair of the client's team"))
    duration_minutes = forms.TypedChoiceField(label=_("Duration"), choices=DURATION_CHOICES, coerce=int, initial=60)
    date_from = forms.DateField(label=_("From"), widget=DateInput(), validators=[validate_date_in_window], required=False)
    date_to = forms.DateField(label=_("Until"), widget=DateInput(), validators=[validate_date_in_window], required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=Weekday.choices, coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any weekday."),
    )
    time_of_day = forms.ChoiceField(label=_("Time of day"), choices=TimeOfDay.choices, required=False)
    time_from = forms.TimeField(label=_("From (time)"), widget=TimeInput(), required=False)
    time_to = forms.TimeField(label=_("Until (time)"), widget=TimeInput(), required=False)

    def __init__(self, *args, clients, pairs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["pair"].queryset = pairs
        self.fields["pair"].label_from_instance = lambda pair: f"{pair.artist.display_name} & {pair.nurse.display_name}"

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["date_from"] = data.get("date_from") or today
        data["date_to"] = data.get("date_to") or data["date_from"] + dt.timedelta(days=27)
        choice = data.get("time_of_day") or ""
        data["hours"] = None
        if choice == TimeOfDay.BETWEEN:
            start, end = data.get("time_from"), data.get("time_to")
            if start is None:
                self.add_error("time_from", _("Give the start of the time of day."))
            elif end is None:
                self.add_error("time_to", _("Give the end of the time of day."))
            elif end <= start:
                self.add_error("time_to", _("The end of the time of day must be after its start."))
            else:
                data["hours"] = (start, end)
        elif choice in TIME_OF_DAY_HOURS:
            start, end = TIME_OF_DAY_HOURS[choice]
            data["hours"] = (dt.time(start), dt.time(end))
        client, pair = data.get("client"), data.get("pair")
        if client is not None and pair is not None and pair.team_id != client.team_id:
            self.add_error("pair", _("This pair works in another team than the client's."))
        return data


def preference_initial(client: Client) -> dict:
    """The search form's starting point: the client's preferred weekdays and time of day."""
    initial = {"client": client.pk, "weekdays": list(client.preferred_weekdays), "time_of_day": client.preferred_time_of_day}
    if client.preferred_time_of_day == TimeOfDay.BETWEEN:
        initial |= {"time_from": client.preferred_from, "time_to": client.preferred_until}
    return initial

"""Forms built from an instrument's items, and the dashboard's filter and cost forms."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, DecimalException

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pairwork.limits import validate_date_in_window

from .models import Instrument, TimePoint
from .outcome_schedule import ACTION_NEEDED

# Up to eleven answer options are shown as radio buttons; wider ranges
# (sick-leave days 0–31) as a number field.
MAX_RADIO_OPTIONS = 11


def _item_field(item) -> forms.Field:
    range_message = _("Choose a whole number from %(min)s to %(max)s.") % {"min": item.scale_min, "max": item.scale_max}
    messages = {"required": _("Answer this question."), "invalid_choice": range_message, "invalid": range_message,
                "min_value": range_message, "max_value": range_message}
    help_text = " · ".join(
        part for part in (
            f"{item.scale_min} = {item.min_label}" if item.min_label else "",
            f"{item.scale_max} = {item.max_label}" if item.max_label else "",
        ) if part
    )
    common = {"label": item.text, "required": item.required, "help_text": help_text, "error_messages": messages}
    if item.scale_max - item.scale_min + 1 <= MAX_RADIO_OPTIONS:
        field = forms.TypedChoiceField(
            choices=[(value, str(value)) for value in range(item.scale_min, item.scale_max + 1)],
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect,
            **common,
        )
    else:
        field = forms.IntegerField(min_value=item.scale_min, max_value=item.scale_max, **common)
    field.is_scale_item = True
    return field


class InstrumentAnswerForm(forms.Form):
    """One field per item of the instrument, named by the item's code."""

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.item_codes = []
        for item in sorted(instrument.items.all(), key=lambda item: item.position):
            self.fields[item.code] = _item_field(item)
            self.item_codes.append(item.code)

    def answers(self) -> dict[str, int | None]:
        return {code: self.cleaned_data.get(code) for code in self.item_codes}

    @property
    def item_fields(self):
        return [self[code] for code in self.item_codes]

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the fields it names (or on the form)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class MonthlySurveyForm(InstrumentAnswerForm):
    team = forms.ModelChoiceField(queryset=None, label=_("Team you answer for"), empty_label=None)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        # Only someone in several teams has to choose.
        if teams.count() <= 1:
            self.fields["team"].widget = forms.HiddenInput()
            self.fields["team"].initial = teams.first()


class ClientOutcomeForm(InstrumentAnswerForm):
    time_point = forms.ChoiceField(
        label=_("Time point"),
        choices=[(TimePoint.BASELINE, TimePoint.BASELINE.label), (TimePoint.FOLLOW_UP, TimePoint.FOLLOW_UP.label)],
        widget=forms.RadioSelect,
    )
    series = forms.ModelChoiceField(
        queryset=None, label=_("Visit series"), required=False,
        help_text=_("The series of joint visits these measures belong to."),
    )

    def __init__(self, *args, series, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = series
        self.fields["series"].label_from_instance = lambda s: timezone.localtime(s.first_starts_at).strftime(
            "%d.%m.%Y %H:%M"
        ) + f" · {s.pair}"


class DueMeasurementsFilterForm(forms.Form):
    team = forms.ModelChoiceField(queryset=None, label=_("Team"), required=False, empty_label=_("All my teams"))
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["status"].choices = [("", _("Due and overdue"))] + [
            (status.value, status.label.capitalize()) for status in ACTION_NEEDED
        ]


MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.CharField):
    """A month as YYYY-MM (what <input type="month"> sends), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month"})
    default_validators = [validate_date_in_window]

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = MONTH_PATTERN.match(value)
        try:
            if match is None:
                raise ValueError
            return dt.date(int(match[1]), int(match[2]), 1)
        except ValueError as error:
            raise ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-03."), code="invalid") from error

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, dt.date) else value


MAX_MONTHS_SHOWN = 36


class DashboardFilterForm(forms.Form):
    team = forms.ChoiceField(label=_("Team"), required=False)
    start = MonthField(label=_("From month"), required=False)
    end = MonthField(label=_("To month"), required=False)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("All my teams"))] + [(str(team.pk), team.name) for team in teams]

    def clean(self):
        """The month cap holds whichever bounds are given: a missing one is filled in as the dashboard fills it."""
        from .dashboard.scope import DEFAULT_MONTHS
        from .selectors import add_months, month_start

        cleaned = super().clean()
        if self.has_error("start") or self.has_error("end"):
            return cleaned
        given_start, given_end = cleaned.get("start"), cleaned.get("end")
        end = given_end or month_start(timezone.localdate())
        start = given_start or add_months(end, -(DEFAULT_MONTHS - 1))
        if start > end:
            self.add_error("end" if given_end else "start", _("The end month must not be before the start month."))
        elif (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS_SHOWN:
            self.add_error("start" if given_start else "end", _("Choose at most %(n)s months.") % {"n": MAX_MONTHS_SHOWN})
        return cleaned


# Spaces a user or a copied figure may group thousands with (Finnish and Swedish use a no-break space).
_GROUPING_SPACES = re.compile(r"[\s\u00a0\u202f]")


def normalise_decimal_text(value: str) -> str:
    """'1 250,50', '1,250.50', '400,5' or '400.5' as Python's decimal text ('1250.50', '400.5').

    A comma or a dot is the decimal separator, whichever the language; where
    both appear, the last one is, and the other groups thousands. Spaces
    (also no-break ones) group thousands too.
    """
    text = _GROUPING_SPACES.sub("", value)
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal == "," else ","
        text = text.replace(grouping, "").replace(decimal, ".")
    return text.replace(",", ".")


class DecimalTextField(forms.DecimalField):
    """A decimal typed into a text field (inputmode="decimal"): comma or dot in every language.

    A number input cannot show a comma, so a Finnish or Swedish '400,00'
    written into one came back empty; a text input keeps the value as the
    page writes it in the user's language.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(localize=True, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return Decimal(normalise_decimal_text(str(value)))
        except DecimalException:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class SickLeaveCostForm(forms.Form):
    cost_per_day = DecimalTextField(
        label=_("Cost of one sick-leave day (€)"), min_value=1, max_value=100000, max_digits=8, decimal_places=2,
        help_text=_("Used for the estimate in this section; a change is recorded with your name."),
    )

"""The date filter of the "who accessed this client's data" page."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pairwork.limits import validate_date_in_window


def _date_input() -> forms.DateInput:
    # ISO format: what <input type="date"> sends and expects, whatever the language.
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"})


class AccessLogFilterForm(forms.Form):
    since = forms.DateField(
        label=_("From"), required=False, widget=_date_input(), validators=[validate_date_in_window],
        error_messages={"invalid": _("Enter a date, e.g. 2026-03-01.")},
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=_date_input(), validators=[validate_date_in_window],
        error_messages={"invalid": _("Enter a date, e.g. 2026-03-31.")},
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date must be on or after the start date."))
        return cleaned

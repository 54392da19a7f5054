"""Forms of the coordinator's client pages."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pairwork.choices import ArtForm, Weekday
from pairwork.models import Role, StaffProfile, Team
from pairwork.pair_forms import DateInput, PersonChoiceField
from pairwork.pairs import team_members
from pairwork.limits import LONG_TEXT_MAX_LENGTH, validate_date_in_window

from .models import Client
from .records import SERVICE_CIRCLE_FIELDS


class ClientFilterForm(forms.Form):
    """Search and filters. Sent by POST so a typed name never lands in a URL or a server log."""

    STATUS_CHOICES = [("active", _("Active")), ("archived", _("Archived")), ("all", _("All"))]

    q = forms.CharField(label=_("Search by name or address"), required=False, max_length=100)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All my teams"))
    area = forms.ChoiceField(label=_("Area"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False, initial="active")
    without_consent = forms.BooleanField(label=_("Only clients without recorded consent"), required=False)

    def __init__(self, *args, teams, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["area"].choices = [("", _("All areas"))] + [(area, area) for area in areas]


class ClientForm(forms.ModelForm):
    preferred_art_forms = forms.MultipleChoiceField(
        label=_("Preferred art forms"), choices=ArtForm.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    preferred_weekdays = forms.TypedMultipleChoiceField(
        label=_("Preferred weekdays"), choices=Weekday.choices, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Leave empty if any weekday suits the client."),
    )

    class Meta:
        model = Client
        fields = [
            "first_name", "last_name", "birth_year", "team", "street_address", "postal_code", "area", "phone",
            "language", "needs_and_wishes", "preferred_art_forms", "preferred_weekdays", "preferred_time_of_day",
            "preferred_from", "preferred_until", "safety_notes", "health_notes",
            "consent_given", "consent_date",
        ]
        widgets = {
            "needs_and_wishes": forms.Textarea(attrs={"rows": 4}),
            "safety_notes": forms.Textarea(attrs={"rows": 3}),
            "health_notes": forms.Textarea(attrs={"rows": 3}),
            "consent_date": DateInput(),
            "preferred_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "preferred_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "consent_given": _("Visits can be scheduled only after the client's consent has been recorded."),
            "consent_date": _("Left empty, today's date is used."),
            "preferred_from": _("Only with “Between the times below”."),
        }

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if not self.instance.pk and teams.count() == 1:
            self.fields["team"].initial = teams.first()

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and not 1900 <= year <= timezone.localdate().year:
            raise ValidationError(_("Give a year between 1900 and this year."))
        return year

    def clean(self):
        data = super().clean()
        if data.get("preferred_time_of_day") == "between":
            start, end = data.get("preferred_from"), data.get("preferred_until")
            if start is None:
                self.add_error("preferred_from", _("Give the start of the preferred time."))
            elif end is None or end <= start:
                self.add_error("preferred_until", _("Give an end after the start."))
        else:
            data["preferred_from"] = data["preferred_until"] = None
        return data

    def clean_consent_date(self):
        day = self.cleaned_data.get("consent_date")
        if day is not None and day > timezone.localdate():
            raise ValidationError(_("The consent date cannot be in the future."))
        return day

    def _post_clean(self):
        # The service builds and validates the model; the form only checks the input.
        pass


class FamiliarNurseForm(forms.Form):
    nurse = PersonChoiceField(label=_("Nurse"), queryset=StaffProfile.objects.none())
    is_primary = forms.BooleanField(label=_("Primary nurse"), required=False)
    since = forms.DateField(label=_("Known since"), required=False, widget=DateInput(), validators=[validate_date_in_window])

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nurse"].queryset = team_members([team], Role.NURSE) if team else StaffProfile.objects.none()


class BaseFamiliarNurseFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        rows = [form.cleaned_data for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        nurses = [row["nurse"].pk for row in rows]
        if len(nurses) != len(set(nurses)):
            raise ValidationError(_("Each nurse can be listed once."))
        if sum(1 for row in rows if row.get("is_primary")) > 1:
            raise ValidationError(_("Only one nurse can be the primary nurse."))

    def kept_rows(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]


FamiliarNurseFormSet = forms.formset_factory(
    FamiliarNurseForm, formset=BaseFamiliarNurseFormSet, extra=2, can_delete=True, max_num=20, validate_max=True
)


class ServiceCircleForm(forms.Form):
    service = forms.CharField(label=_("Service"), max_length=120, help_text=_("E.g. meals on wheels, day activity, physiotherapy."))
    organisation = forms.CharField(label=_("Organisation"), max_length=160)
    contact_person = forms.CharField(label=_("Contact person"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=LONG_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class BaseServiceCircleFormSet(forms.BaseFormSet):
    def kept_rows(self) -> list[dict]:
        return [
            {name: form.cleaned_data.get(name, "") for name in SERVICE_CIRCLE_FIELDS}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


ServiceCircleFormSet = forms.formset_factory(
    ServiceCircleForm, formset=BaseServiceCircleFormSet, extra=2, can_delete=True, max_num=30, validate_max=True
)

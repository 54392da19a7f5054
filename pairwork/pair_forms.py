"""Forms of the work-pair pages."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .limits import LONG_TEXT_MAX_LENGTH, validate_date_in_window

from .models import Role, StaffProfile, Team
from .pairs import SHARED_AGREEMENT_TEMPLATE, team_members


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person: StaffProfile) -> str:
        return person.display_name


class PairForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    artist = PersonChoiceField(label=_("Artist"), queryset=StaffProfile.objects.none())
    nurse = PersonChoiceField(label=_("Nurse"), queryset=StaffProfile.objects.none())
    active_from = forms.DateField(label=_("Works together from"), widget=DateInput(), initial=timezone.localdate, validators=[validate_date_in_window])
    shared_agreement = forms.CharField(
        max_length=LONG_TEXT_MAX_LENGTH, label=_("Shared agreement"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Goals, values and roles the pair agrees on. Both members see it."),
        initial=SHARED_AGREEMENT_TEMPLATE,
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        # Everyone of the user's teams is offered; the service checks the chosen team.
        self.fields["artist"].queryset = team_members(teams, Role.ARTIST)
        self.fields["nurse"].queryset = team_members(teams, Role.NURSE)
        if teams.count() == 1:
            self.fields["team"].initial = teams.first()


class PairEditForm(forms.Form):
    active_from = forms.DateField(label=_("Works together from"), widget=DateInput(), validators=[validate_date_in_window])
    shared_agreement = forms.CharField(
        max_length=LONG_TEXT_MAX_LENGTH, label=_("Shared agreement"), widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Goals, values and roles the pair agrees on. Both members see it."),
    )


class EndPairForm(forms.Form):
    last_day = forms.DateField(label=_("Last working day"), widget=DateInput(), initial=timezone.localdate, validators=[validate_date_in_window])

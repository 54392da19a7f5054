"""Forms for the phone: a visit note and the visit's outcome."""
from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import OUTCOME_STATUSES, VisitNote
from .notes import NOTE_FIELDS

ONE_TO_FIVE = [(n, str(n)) for n in range(1, 6)]


def _score_field(model_field: str, help_text: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=capfirst(VisitNote._meta.get_field(model_field).verbose_name),
        choices=ONE_TO_FIVE,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": _("Choose a number from 1 to 5.")},
    )


class VisitNoteForm(forms.ModelForm):
    engagement = _score_field("engagement", _("1 = not engaged, 5 = fully engaged"))
    mood_before = _score_field("mood_before", _("1 = very low, 5 = very good"))
    mood_after = _score_field("mood_after", _("1 = very low, 5 = very good"))

    class Meta:
        model = VisitNote
        fields = NOTE_FIELDS
        widgets = {
            "activities": forms.Textarea(attrs={"rows": 3}),
            "care_plan_observations": forms.Textarea(attrs={"rows": 3}),
            "next_visit_suggestions": forms.Textarea(attrs={"rows": 2}),
            "free_text": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"activities": {"required": _("Tell briefly what was done during the visit.")}}
        # Who reads what (access.fields): the partner and the coordinator read the note; the
        # care-plan observations are health data, so the artist never does.
        help_texts = {
            "activities": _("Read by your partner and the team's coordinator."),
            "care_plan_observations": _("Health information: read by nurses and the team's coordinator, never by the artist."),
            "next_visit_suggestions": _("Read by your partner and the team's coordinator."),
            "free_text": _("Read by your partner and the team's coordinator."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                continue
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select) else "form-control")

    def content(self) -> dict:
        return {field: self.cleaned_data[field] for field in NOTE_FIELDS}


class VisitOutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How did the visit go?"),
        choices=[(status.value, status.label) for status in OUTCOME_STATUSES],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how the visit went."),
            "invalid_choice": _("Choose how the visit went."),
        },
    )

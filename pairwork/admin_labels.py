"""Names for the admin's inputs that Django leaves without a label (WCAG 1.3.1, 4.1.2).

Two kinds of input in Django's admin have no <label> of their own:

- the date and the time box of a date-time field: the field's label points
  at neither (a split widget has no single id to point at), and the words
  "Date:" and "Time:" beside them are plain text;
- every input in a row of a tabular inline, the delete box included: the
  column heading above is their only name.

Each gets an `aria-label` instead ("Archived at: date", "Since (row 2)"), the
name a screen reader reads and the accessibility test checks. The pages
look the same.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

SPLIT_PARTS = (_("date"), _("time"))


def label_split_parts(formfield: forms.Field | None) -> forms.Field | None:
    """A date-time field's two boxes named after the field: "<label>: date", "<label>: time"."""
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, forms.SplitDateTimeWidget):
        for part, word in zip(widget.widgets, SPLIT_PARTS):
            part.attrs.setdefault("aria-label", format_lazy("{}: {}", formfield.label, word))
    return formfield


class LabelledInputs:
    """For a ModelAdmin or an inline: the date and time boxes of date-time fields get names."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return label_split_parts(super().formfield_for_dbfield(db_field, request, **kwargs))


class LabelledRowsFormSet(forms.BaseInlineFormSet):
    """Each visible input of a tabular row is named by its column and row: "Primary (row 2)"."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            if field.widget.is_hidden:
                continue
            name = field.label if index is None else format_lazy("{} ({} {})", field.label, _("row"), index + 1)
            widget = field.widget
            # The wrapper's own attrs are shared with the class's widget (Django copies them by reference).
            while isinstance(widget, RelatedFieldWidgetWrapper):
                widget = widget.widget
            targets = widget.widgets if isinstance(widget, forms.SplitDateTimeWidget) else [widget]
            for word, target in zip(SPLIT_PARTS if len(targets) > 1 else [None], targets):
                target.attrs["aria-label"] = format_lazy("{}: {}", name, word) if word else name


class LabelledTabularInline(LabelledInputs, admin.TabularInline):
    """A tabular inline whose inputs have names of their own, not only a column heading."""

    formset = LabelledRowsFormSet

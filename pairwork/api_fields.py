"""API input fields that keep dates and times within the service's rules.

* `MomentField` – a date and time: with an offset it is taken as given; without
  one it is read on the Helsinki wall clock, and a time the clocks skip or
  repeat that day is refused on the field (pairwork.timing). Outside the date
  window (pairwork.limits) it is refused too.
* `WindowDateField` – a date inside the date window.
"""
from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from .limits import date_window_message, validate_date_in_window
from .timing import LocalTimeError, aware_from_input, within_date_window


class MomentField(serializers.DateTimeField):
    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            try:
                value = aware_from_input(value)
            except LocalTimeError as problem:
                raise serializers.ValidationError(str(problem.message), code=problem.code) from None
        if not within_date_window(value):
            raise serializers.ValidationError(date_window_message(), code="date_out_of_range")
        return super().enforce_timezone(value)


class WindowDateField(serializers.DateField):
    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", []), validate_date_in_window]
        super().__init__(**kwargs)

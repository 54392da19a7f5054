"""Put a service's ValidationError onto the form fields it concerns."""
from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(form: forms.Form, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Service keys ("starts_at", "client", ...) go to the mapped form field, else to the form as a whole."""
    field_map = field_map or {}
    per_key = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    for key, messages in per_key.items():
        target = field_map.get(key, key)
        form.add_error(target if target in form.fields else None, messages)

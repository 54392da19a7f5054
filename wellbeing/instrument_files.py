"""Instruments as JSON files: the definition of one instrument version, written and read back.

The format is documented in docs/instrument-files.md. `instrument_definition`
writes what an instrument version is; `parse_instrument_file` reads a file
back into the same shape, or raises a ValidationError whose keys are the
paths of the wrong fields in the file ("items[2].text.fi"), so that an
administrator can fix the file. Writing is `services.import_instrument`'s.

The order of scales and items in the file is their order on the form.
"""
from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Audience, Instrument, Item, Scale, ScoringRule, TimePoint

FORMAT = "tyopari-instrument"
FORMAT_VERSION = 1
LANGUAGES = ("fi", "sv", "en")
MAX_FILE_BYTES = 1_000_000
MAX_ITEMS = 200

# Each part's fields in the file: plain ones and ones with a text per language.
INSTRUMENT_FIELDS = ("code", "audience", "time_points", "follow_up_weeks")
INSTRUMENT_TEXTS = ("name", "description")
SCALE_FIELDS = ("code", "rule", "max_missing", "higher_is_better", "minimal_important_change")
SCALE_TEXTS = ("name",)
ITEM_FIELDS = ("code", "scale_min", "scale_max", "reverse_scored", "required")
ITEM_TEXTS = ("text", "min_label", "max_label")
TOP_LEVEL = {"format", "format_version", "version", *INSTRUMENT_FIELDS, *INSTRUMENT_TEXTS, "scales", "items"}

# The JSON type each field must have (bool is not an int here, though Python says so).
NUMBERS = {"follow_up_weeks", "max_missing", "scale_min", "scale_max"}
BOOLEANS = {"higher_is_better", "reverse_scored", "required"}


def _texts(obj, field: str) -> dict[str, str]:
    return {language: getattr(obj, f"{field}_{language}") for language in LANGUAGES}


def instrument_definition(instrument: Instrument) -> dict[str, Any]:
    """The file contents of one instrument version (two queries: scales and items)."""
    scales = sorted(instrument.scales.all(), key=lambda s: (s.position, s.pk))
    codes = {scale.pk: scale.code for scale in scales}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "code": instrument.code,
        "version": instrument.version,
        **{field: _texts(instrument, field) for field in INSTRUMENT_TEXTS},
        "audience": instrument.audience,
        "time_points": list(instrument.time_points),
        "follow_up_weeks": instrument.follow_up_weeks,
        "scales": [
            {
                "code": scale.code,
                "name": _texts(scale, "name"),
                "rule": scale.rule,
                "max_missing": scale.max_missing,
                "higher_is_better": scale.higher_is_better,
                "minimal_important_change": scale.minimal_important_change,
            }
            for scale in scales
        ],
        "items": [
            {
                "code": item.code,
                "scale": codes.get(item.scale_id),
                **{field: _texts(item, field) for field in ("text",)},
                "scale_min": item.scale_min,
                "scale_max": item.scale_max,
                **{field: _texts(item, field) for field in ("min_label", "max_label")},
                "reverse_scored": item.reverse_scored,
                "required": item.required,
            }
            for item in sorted(instrument.items.all(), key=lambda i: (i.position, i.pk))
        ],
    }


def instrument_file(instrument: Instrument) -> str:
    """The definition as the text of a file: UTF-8 JSON, indented, keys in a stable order."""
    return json.dumps(instrument_definition(instrument), ensure_ascii=False, indent=2) + "\n"


class _Errors:
    """Collects messages by path in the file."""

    def __init__(self) -> None:
        self.by_path: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.by_path.setdefault(path or "file", []).append(str(message))

    def raise_if_any(self) -> None:
        if self.by_path:
            raise ValidationError(self.by_path)


def _check_type(errors: _Errors, path: str, field: str, value) -> bool:
    if field in NUMBERS and (isinstance(value, bool) or not isinstance(value, int)):
        errors.add(path, _("Enter a whole number."))
        return False
    if field in BOOLEANS and not isinstance(value, bool):
        errors.add(path, _("Enter true or false."))
        return False
    if field == "minimal_important_change" and value is not None and (
        isinstance(value, bool) or not isinstance(value, (int, float))
    ):
        errors.add(path, _("Enter a number, or null when the scale has none."))
        return False
    if field == "code" and not isinstance(value, str):
        errors.add(path, _("Enter a text."))
        return False
    return True


def _read_part(errors: _Errors, path: str, data, fields, texts, required_texts=("name",)) -> dict[str, Any] | None:
    """One object of the file as model field values, with a message on each wrong or missing field."""
    prefix = f"{path}." if path else ""
    if not isinstance(data, dict):
        errors.add(path, _("Expected an object with the fields of the format."))
        return None
    known = set(fields) | set(texts) | ({"scale"} if path.startswith("items") else set())
    for unknown in sorted(set(data) - known - (TOP_LEVEL if not path else set())):
        errors.add(f"{prefix}{unknown}", _("This field is not part of the format."))
    values: dict[str, Any] = {}
    for field in fields:
        if field not in data:
            if field in ("code", "scale_min", "scale_max", "audience", "time_points"):
                errors.add(f"{prefix}{field}", _("This field is required."))
            continue
        if _check_type(errors, f"{prefix}{field}", field, data[field]):
            values[field] = data[field]
    for field in texts:
        given = data.get(field, {})
        if not isinstance(given, dict):
            errors.add(f"{prefix}{field}", _("Expected an object with a text per language: fi, sv, en."))
            continue
        for language in sorted(set(given) - set(LANGUAGES)):
            errors.add(f"{prefix}{field}.{language}", _("Languages are fi, sv and en."))
        for language in LANGUAGES:
            text = given.get(language, "")
            if not isinstance(text, str):
                errors.add(f"{prefix}{field}.{language}", _("Enter a text."))
            elif field in required_texts and language == "fi" and not text.strip():
                errors.add(f"{prefix}{field}.fi", _("The Finnish text is required."))
            else:
                values[f"{field}_{language}"] = text
    return values


def _model_errors(errors: _Errors, path: str, instance, exclude: list[str]) -> None:
    """The model's own field validation (lengths, choices, ranges), reported at the file's paths."""
    prefix = f"{path}." if path else ""
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            name, _sep, language = field.rpartition("_")
            where = f"{name}.{language}" if language in LANGUAGES else field
            for message in messages:
                errors.add(f"{prefix}{where}", message)


def _load(raw: bytes | str, errors: _Errors):
    if len(raw) > MAX_FILE_BYTES:
        errors.add("file", _("The file is larger than %(limit)s bytes.") % {"limit": MAX_FILE_BYTES})
        return None
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        errors.add("file", _("The file is not UTF-8 text."))
    except json.JSONDecodeError as error:
        errors.add("file", _("The file is not valid JSON (line %(line)s, column %(column)s).") % {
            "line": error.lineno, "column": error.colno})
    return None


def parse_instrument_file(raw: bytes | str) -> dict[str, Any]:
    """The validated definition in a file: {"instrument": {...}, "scales": [{...}], "items": [{...}]}.

    Field values are model field values (name_fi, scale_min...); each item's
    "scale" is the code of one of the file's scales, or None.
    """
    errors = _Errors()
    data = _load(raw, errors)
    errors.raise_if_any()
    if not isinstance(data, dict):
        errors.add("file", _("Expected one instrument: a JSON object."))
        errors.raise_if_any()
    if data.get("format") != FORMAT:
        errors.add("format", _("Expected \"%(format)s\".") % {"format": FORMAT})
    if data.get("format_version") != FORMAT_VERSION:
        errors.add("format_version", _("This version of Työpari reads format version %(version)s.") % {"version": FORMAT_VERSION})
    instrument = _read_part(errors, "", data, INSTRUMENT_FIELDS, INSTRUMENT_TEXTS)
    scales = _read_list(errors, data, "scales", SCALE_FIELDS, SCALE_TEXTS, ("name",))
    items = _read_list(errors, data, "items", ITEM_FIELDS, ITEM_TEXTS, ("text",))
    if instrument is not None:
        _check_instrument(errors, instrument)
    _check_scales(errors, scales)
    _check_items(errors, data.get("items"), items, {s["code"] for s in scales if s and "code" in s})
    errors.raise_if_any()
    return {"instrument": instrument, "scales": scales, "items": items}


def _read_list(errors: _Errors, data, key: str, fields, texts, required_texts) -> list[dict]:
    given = data.get(key)
    if not isinstance(given, list) or (key == "items" and not given):
        errors.add(key, _("Expected a list with at least one item.") if key == "items" else _("Expected a list."))
        return []
    if len(given) > MAX_ITEMS:
        errors.add(key, _("At most %(limit)s are allowed.") % {"limit": MAX_ITEMS})
        return []
    parts = [_read_part(errors, f"{key}[{index}]", part, fields, texts, required_texts) for index, part in enumerate(given)]
    seen: dict[str, int] = {}
    for index, part in enumerate(parts):
        code = part.get("code") if part else None
        if code in seen:
            errors.add(f"{key}[{index}].code", _("The code %(code)s is already used by %(key)s[%(index)s].") % {
                "code": code, "key": key, "index": seen[code]})
        elif code is not None:
            seen[code] = index
    return [part or {} for part in parts]


def _check_instrument(errors: _Errors, values: dict) -> None:
    time_points = values.get("time_points")
    if "time_points" in values:
        if not isinstance(time_points, list) or not time_points or not all(isinstance(t, str) for t in time_points):
            errors.add("time_points", _("Expected a list of time points: %(choices)s.") % {"choices": ", ".join(TimePoint.values)})
            values.pop("time_points")
        else:
            for index, time_point in enumerate(time_points):
                if time_point not in TimePoint.values:
                    errors.add(f"time_points[{index}]", _("Choose one of: %(choices)s.") % {"choices": ", ".join(TimePoint.values)})
    audience, time_points = values.get("audience"), values.get("time_points") or []
    client_points = {TimePoint.BASELINE, TimePoint.FOLLOW_UP}
    if audience == Audience.CLIENT and not set(time_points) <= client_points:
        errors.add("time_points", _("A client instrument is answered at baseline and follow-up."))
    if audience == Audience.STAFF and set(time_points) & client_points:
        errors.add("time_points", _("A staff instrument is answered after a visit or monthly."))
    _model_errors(errors, "", Instrument(**{k: v for k, v in values.items() if k != "time_points"}), ["time_points"])


def _check_scales(errors: _Errors, scales: list[dict]) -> None:
    for index, values in enumerate(scales):
        if values.get("rule") is not None and values["rule"] not in ScoringRule.values:
            errors.add(f"scales[{index}].rule", _("Choose one of: %(choices)s.") % {"choices": ", ".join(ScoringRule.values)})
            values.pop("rule")
        _model_errors(errors, f"scales[{index}]", Scale(**values), ["instrument"])


def _check_items(errors: _Errors, raw_items, items: list[dict], scale_codes: set[str]) -> None:
    for index, values in enumerate(items):
        path = f"items[{index}]"
        scale = raw_items[index].get("scale") if isinstance(raw_items[index], dict) else None
        if scale is not None and scale not in scale_codes:
            errors.add(f"{path}.scale", _("No scale in this file has the code %(code)s.") % {"code": scale})
        values["scale"] = scale
        low, high = values.get("scale_min"), values.get("scale_max")
        if low is not None and high is not None and high <= low:
            errors.add(f"{path}.scale_max", _("The highest answer must be above the lowest."))
        _model_errors(errors, path, Item(**{k: v for k, v in values.items() if k != "scale"}), ["instrument", "scale"])

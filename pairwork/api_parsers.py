"""The API's one JSON parser, with limits: body size, nesting depth and number range.

DRF's JSONParser reads the whole body whatever its size (Django's
DATA_UPLOAD_MAX_MEMORY_SIZE guards only request.body and form posts), lets
Python's parser recurse until it fails with a 500 on JSON nested 100,000
deep, and turns 1e400 into infinity. Here each is a 4xx with a message.
"""
from __future__ import annotations

import json
import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32
MAX_INTEGER_DIGITS = 19  # a 64-bit integer


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def _max_body_bytes() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


def _nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects, outside strings; linear, no recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ParseError(_("A number in the request is too large."))
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ParseError(_("A number in the request is too large."))
    return int(text)


def _no_constants(name: str):
    raise ParseError(_("%(name)s is not a number JSON allows.") % {"name": name})


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = _max_body_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(_("The request body is larger than %(n)d bytes.") % {"n": limit})
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(_("The request body is not valid text.")) from None
        if _nesting_depth(text) > MAX_DEPTH:
            raise ParseError(_("The JSON is nested more than %(n)d levels deep.") % {"n": MAX_DEPTH})
        try:
            return json.loads(text, parse_float=_finite_float, parse_int=_bounded_int, parse_constant=_no_constants)
        except ValueError as exc:
            raise ParseError(_("The request body is not valid JSON: %(reason)s") % {"reason": exc}) from None

"""Keep client data out of log lines and error reports.

Our own code logs ids, never names. What can still leak is what others put
in a message or a report:

* PostgreSQL quotes the offending row or key in an error's DETAIL line
  ("Failing row contains (12, Helmi, Esimerkki, ...)"), and that text ends up
  in logged tracebacks. `RedactClientData` is a logging filter that blanks it.
* Django's error report (the e-mail to ADMINS, the debug page) shows POST
  data and every local variable of every frame; a local `client` prints as
  the client's name. `PrivateExceptionReporterFilter` blanks all of those,
  and `PrivateExceptionReporter` redacts the exception's own message.
"""
from __future__ import annotations

import logging
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

REDACTED = "[redacted: may contain client data]"

# From a DETAIL (or the value quoted in an "invalid input" message) to the end
# of that exception's text: the next chained traceback, or the end.
_PATTERNS = [
    re.compile(
        r"DETAIL:.*?(?=\n\nThe above exception|\n\nDuring handling|\nTraceback \(most recent call last\)|\Z)",
        re.DOTALL,
    ),
    re.compile(r'(?<=invalid input syntax for type )(\w+(?: \w+)*: )"[^"\n]*"'),
    re.compile(r'(?<=invalid input value for enum )(\S+: )"[^"\n]*"'),
]


def redact(text: str) -> str:
    """The text with database-quoted values blanked out."""
    text = _PATTERNS[0].sub(f"DETAIL: {REDACTED}", text)
    for pattern in _PATTERNS[1:]:
        text = pattern.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    return text


class RedactClientData(logging.Filter):
    """Blank database-quoted values in a record's message and traceback (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports show which variables and parameters there were, never their values.

    Active also with DEBUG on: a developer reproducing a bug against a copy
    of real data must not see it on the debug page either.
    """

    def is_active(self, request) -> bool:
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        cleansed = request.POST.copy()
        for key in cleansed:
            cleansed[key] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class PrivateExceptionReporter(ExceptionReporter):
    """Django's reporter, with the exception message redacted like a log line."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if data.get("exception_value"):
            data["exception_value"] = redact(str(data["exception_value"]))
        return data

    def get_traceback_frames(self):
        frames = super().get_traceback_frames()
        for frame in frames:
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = redact(str(frame["exc_cause"]))
        return frames

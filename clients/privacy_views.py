"""Answering "who looked at my data?" and the data-subject export."""
from __future__ import annotations

import datetime as dt
import functools
import math

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django.views.decorators.http import require_http_methods

from access import guard, page_cache
from access.choices import LEGACY_OBJECT_TYPES, Channel, ObjectType
from access.log import write_pending
from access.models import AccessLog
from access.policy import Policy

from .data_requests import export_client_data, export_filename
from .privacy_forms import AccessLogFilterForm

ROWS_PER_PAGE = 50
_LOG_COLUMNS = ("id", "at", "username", "user__first_name", "user__last_name", "object_type", "object_id", "action", "grounds",
                "allowed", "channel")
_LABELLED = ("object_type", "action", "grounds", "channel")
COUNTED_ROWS = 1000


class NewestFirst(Paginator):
    """Pages of the newest rows, counting at most COUNTED_ROWS: a client's log grows with every read for years.

    Older rows are reached by their dates (the form), not by paging back through thousands of pages.
    """

    capped = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list[: COUNTED_ROWS + 1].count()
        self.capped = counted > COUNTED_ROWS
        return min(counted, COUNTED_ROWS)


@functools.lru_cache(maxsize=8)
def _labels(language: str) -> dict[str, dict[str, str]]:
    """The choice labels of the labelled columns, and the words for who and result, in `language` (the active one)."""
    labels = {name: {value: str(label) for value, label in AccessLog._meta.get_field(name).flatchoices} for name in _LABELLED}
    labels["words"] = {"system": gettext("system"), "allowed": gettext("allowed"), "denied": gettext("denied")}
    return labels


@functools.lru_cache(maxsize=4096)
def _row_html(language: str, values: tuple) -> str:
    """One row's cells, escaped. A pure function of the row and the language: the same row is formatted once."""
    row = dict(zip(_LOG_COLUMNS, values))
    labels = _labels(language)
    words = labels["words"]
    at = timezone.localtime(row["at"])
    full_name = f"{row['user__first_name'] or ''} {row['user__last_name'] or ''}".strip()
    who = (f"{full_name or row['username']} ({row['username']})" if row["user__first_name"] is not None
           else (row["username"] or words["system"]))
    object_type = LEGACY_OBJECT_TYPES.get(row["object_type"], row["object_type"])
    what = labels["object_type"].get(object_type, row["object_type"])
    if row["object_id"]:
        what = f"{what} #{row['object_id']}"
    return format_html(
        "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        "" if row["allowed"] else mark_safe(' class="table-danger"'),
        f"{at.day}.{at.month}.{at.year} {at:%H:%M:%S}", who, what,
        labels["action"].get(row["action"], row["action"]), labels["grounds"].get(row["grounds"], row["grounds"]),
        words["allowed"] if row["allowed"] else format_html("<strong>{}</strong>", words["denied"]),
        labels["channel"].get(row["channel"], row["channel"]),
    )


def log_rows_html(rows) -> list[str]:
    """The log table's rows from their values in _LOG_COLUMNS' order (tuples, or values() dicts)."""
    language = get_language()
    return [_row_html(language, tuple(row.values()) if isinstance(row, dict) else row) for row in rows]


def _caption(count: int) -> str:
    if count > COUNTED_ROWS:
        return gettext(
            "More than %(count)s entries: the newest %(count)s are listed here; choose dates to see older ones."
        ) % {"count": COUNTED_ROWS}
    return ngettext("%(counter)s entry", "%(counter)s entries", count) % {"counter": count}


def _table_parts(rows: list[str], count: int, pagination: str) -> dict[str, str]:
    """What changes from one read of the log page to the next: the caption, the rows and the page links."""
    return {
        "caption": _caption(count),
        "rows": mark_safe("\n".join(rows)) if rows else format_html(
            '<tr><td colspan="7">{}</td></tr>', gettext("No access in this period.")
        ),
        "pagination": pagination,
    }


def _pagination(page, filter_query: str = "") -> str:
    return render_to_string("clients/_pagination.html", {"page": page, "filter_query": filter_query})


def _first_page_links(count: int) -> str:
    """The page links under the newest `count` entries: the same for every count with as many pages."""
    return _page_links(get_language(), math.ceil(min(count, COUNTED_ROWS) / ROWS_PER_PAGE))


@functools.lru_cache(maxsize=64)
def _page_links(language: str, pages: int) -> str:
    """The first page's links when there are `pages`, in `language` (the active one)."""
    return _pagination(Paginator(range(pages * ROWS_PER_PAGE), ROWS_PER_PAGE).page(1))


# The newest entries page (no filter, first page) is kept by the page cache as a frame; entries from
# a minute before the minute it was built in are read anew on every request. A minute's margin: an
# entry's time is taken as it is written, and it commits at once (access.log), long before a minute.
FRESH_MARGIN = dt.timedelta(minutes=1)
_PLACEHOLDERS = {name: mark_safe(f"<!--live:{name}-->") for name in ("caption", "rows", "pagination")}


# The newest entries between two moments, up to a page of them, optionally with how many there are (up to
# `to_count`). Both bounds are literals, so PostgreSQL reads only the log's partitions they span.
_NEWEST_BETWEEN = f"""
    SELECT log.id, log.at, log.username, u.first_name, u.last_name, log.object_type, log.object_id, log.action,
           log.grounds, log.allowed, log.channel {{counted}}
      FROM (SELECT * FROM {AccessLog._meta.db_table} WHERE client_id = %(client)s AND at >= %(since)s AND at < %(until)s
             ORDER BY at DESC, id DESC LIMIT {ROWS_PER_PAGE}) log
      LEFT JOIN {get_user_model()._meta.db_table} u ON u.id = log.user_id
     ORDER BY log.at DESC, log.id DESC
"""
_COUNTED = f"""
    , (SELECT count(*) FROM (SELECT FROM {AccessLog._meta.db_table}
                              WHERE client_id = %(client)s AND at >= %(since)s AND at < %(until)s
                              LIMIT %(to_count)s) counted)
"""
_NEWEST = {True: _NEWEST_BETWEEN.format(counted=_COUNTED), False: _NEWEST_BETWEEN.format(counted="")}


# Per process: (client, frame moment) known to have more entries than the cap since the frame's older ones
# were counted. The log only grows there (purging removes entries years old), so later fills need not count.
_PAST_CAP: set[tuple[int, dt.datetime]] = set()
_PAST_CAP_SIZE = 1024


def _fill_newest(part: dict, content: bytes) -> bytes:
    """Complete a kept frame of the newest entries: the request's own read written, the entries since `part["since"]` read."""
    write_pending()
    client, since = part["client_pk"], part["since"]
    # Counted only as far as the cap: with more than that before `since` (a busy client's log), or once
    # known to be more since then, not at all.
    to_count = 0 if (client, since) in _PAST_CAP else max(0, COUNTED_ROWS + 1 - part["older"])
    with connection.cursor() as cursor:
        cursor.execute(_NEWEST[bool(to_count)], {
            "client": client, "since": since, "until": timezone.now() + FRESH_MARGIN, "to_count": to_count,
        })
        fresh = cursor.fetchall()
    if to_count:
        count = part["older"] + (fresh[0][-1] if fresh else 0)
        if count > COUNTED_ROWS:
            if len(_PAST_CAP) >= _PAST_CAP_SIZE:
                _PAST_CAP.clear()
            _PAST_CAP.add((client, since))
    else:
        count = max(part["older"], COUNTED_ROWS + 1)
    rows = (log_rows_html(row[: len(_LOG_COLUMNS)] for row in fresh) + part["rows"])[:ROWS_PER_PAGE]
    return _fill(content, _table_parts(rows, count, _first_page_links(count)))


def _fill(content: bytes, parts: dict[str, str]) -> bytes:
    for name, placeholder in _PLACEHOLDERS.items():
        content = content.replace(placeholder.encode(), str(parts[name]).encode())
    return content


@login_required
@require_http_methods(["GET"])
@page_cache.framed(_fill_newest)
def client_access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who accessed the client's data, newest first, optionally between two dates.

    For the coordinators of the client's team and administrators; reading the
    log is itself a logged access.
    """
    client, _access = guard.fetch(request.user, ObjectType.CLIENT, pk, log_as=ObjectType.ACCESS_LOG, rule=Policy.access_log_access)
    reads = write_pending()  # the page shows its own read
    form = AccessLogFilterForm(request.GET or None)
    rows = AccessLog.objects.for_client(client.pk).values(*_LOG_COLUMNS)
    if form.is_valid():
        rows = rows.on_days(form.cleaned_data["since"], form.cleaned_data["until"])
    elif form.is_bound:
        rows = rows.none()  # bad dates: the message on the field, a 400, and no rows as if unfiltered
    filters = request.GET.copy()
    filters.pop("page", None)
    paginator = NewestFirst(rows, ROWS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    listed = list(page.object_list)
    count = paginator.count + paginator.capped  # one above the cap says "more than"
    response = render(
        request,
        "clients/access_log.html",
        {"client_first_name": client.first_name, "client_pk": client.pk, "form": form, "page": page, **_PLACEHOLDERS},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
    frame, listed_html = response.content, log_rows_html(listed)
    if not form.is_bound and page_cache.building(request):
        since = timezone.now().replace(second=0, microsecond=0) - FRESH_MARGIN
        older = rows.filter(at__lt=since)
        kept = [html for row, html in zip(listed, listed_html) if row["at"] < since]
        page_cache.keep_frame(
            request, frame, reads=reads,
            part={"client_pk": client.pk, "since": since, "older": older[: COUNTED_ROWS + 1].count(), "rows": kept},
        )
    response.content = _fill(frame, _table_parts(listed_html, count, _pagination(page, filters.urlencode())))
    return response


@login_required
@require_http_methods(["GET"])
def client_data_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The GDPR access-request export of one client, as a JSON download (administrators only)."""
    # An administrator's task, logged on the admin channel wherever the button was pressed.
    client, _access = guard.fetch(
        request.user, ObjectType.CLIENT, pk, rule=Policy.data_request_access, log_as=ObjectType.CLIENT_DATA,
        action=AccessLog.Action.EXPORT, channel=Channel.ADMIN,
    )
    document = export_client_data(client=client, by=request.user, channel=Channel.ADMIN)
    response = HttpResponse(document, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(client)}"'
    response["Cache-Control"] = "no-store"
    return response

"""Answering "who looked at my data?" and the data-subject export."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from access import guard
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


def log_rows_html(rows) -> str:
    """The log table's rows, built once in Python: the page lists up to 50 rows of 7 cells on every read."""
    labels = {name: {value: str(label) for value, label in AccessLog._meta.get_field(name).flatchoices} for name in _LABELLED}
    system, allowed, denied = gettext("system"), gettext("allowed"), gettext("denied")

    def cells(row):
        at = timezone.localtime(row["at"])
        full_name = f"{row['user__first_name'] or ''} {row['user__last_name'] or ''}".strip()
        who = f"{full_name or row['username']} ({row['username']})" if row["user__first_name"] is not None else (row["username"] or system)
        object_type = LEGACY_OBJECT_TYPES.get(row["object_type"], row["object_type"])
        what = labels["object_type"].get(object_type, row["object_type"])
        if row["object_id"]:
            what = f"{what} #{row['object_id']}"
        result = allowed if row["allowed"] else format_html("<strong>{}</strong>", denied)
        return (
            "" if row["allowed"] else mark_safe(' class="table-danger"'),
            f"{at.day}.{at.month}.{at.year} {at:%H:%M:%S}", who, what,
            labels["action"].get(row["action"], row["action"]), labels["grounds"].get(row["grounds"], row["grounds"]),
            result, labels["channel"].get(row["channel"], row["channel"]),
        )

    return format_html_join(
        "\n", "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (cells(row) for row in rows),
    )


@login_required
@require_http_methods(["GET"])
def client_access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who accessed the client's data, newest first, optionally between two dates.

    For the coordinators of the client's team and administrators; reading the
    log is itself a logged access.
    """
    client, _access = guard.fetch(request.user, ObjectType.CLIENT, pk, log_as=ObjectType.ACCESS_LOG, rule=Policy.access_log_access)
    write_pending()  # the page shows its own read
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
    return render(
        request,
        "clients/access_log.html",
        {
            "client_first_name": client.first_name,
            "client_pk": client.pk,
            "form": form,
            "page": page,
            "rows": log_rows_html(page.object_list),
            "more_than": COUNTED_ROWS if paginator.capped else None,
            "filter_query": filters.urlencode(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


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

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self) -> None:
        from access import guard
        from access.choices import ObjectType
        from access.policy import Policy
        from clients import data_requests, records
        from pairwork import api_errors

        from . import data_export
        from .conflicts import SchedulingConflict

        from .models import Visit, VisitSeries

        guard.register(
            ObjectType.VISIT,
            queryset=lambda: Visit.objects.with_pair(),
            client_id=lambda visit: visit.client_id,
            rule=Policy.visit_access,
        )
        guard.register(
            ObjectType.VISIT_SERIES,
            queryset=lambda: VisitSeries.objects.select_related("client", "pair__artist__user", "pair__nurse__user"),
            client_id=lambda series: series.client_id,
            rule=Policy.series_access,
        )
        api_errors.answer(SchedulingConflict, answer_conflict)
        data_requests.add_section("visit_series", data_export.visit_series)
        data_requests.add_section("visits", data_export.visits)
        data_requests.add_section("client_absences", data_export.client_absences)
        records.count_planned_visits_with(planned_visit_count)


def planned_visit_count(client) -> int:
    """The client's planned visits from now on (clients.records refuses to archive or move them)."""
    from django.utils import timezone

    from .models import Visit, VisitStatus

    return Visit.objects.filter(client=client, status=VisitStatus.PLANNED, starts_at__gte=timezone.now()).count()


def answer_conflict(conflict, request):
    """409 with who is busy and when. Other clients' names in it were filtered by what the caller may
    see; showing them is logged as for the pages, after the refused transaction is gone."""
    from rest_framework import status
    from rest_framework.response import Response

    from access.choices import Channel

    from .services import record_conflict_disclosure

    if request is not None:
        record_conflict_disclosure(by=request.user, conflict=conflict, channel=Channel.API)
    return Response(conflict.as_dict(), status=status.HTTP_409_CONFLICT)

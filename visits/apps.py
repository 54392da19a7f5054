from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self) -> None:
        from access import guard
        from access.choices import ObjectType
        from access.policy import Policy

        from .models import Visit, VisitSeries

        guard.register(
            ObjectType.VISIT,
            queryset=lambda: Visit.objects.with_people(),
            client_id=lambda visit: visit.client_id,
            rule=Policy.visit_access,
        )
        guard.register(
            ObjectType.VISIT_SERIES,
            queryset=lambda: VisitSeries.objects.select_related("client", "pair__artist__user", "pair__nurse__user"),
            client_id=lambda series: series.client_id,
            rule=Policy.series_access,
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WellbeingConfig(AppConfig):
    name = "wellbeing"
    verbose_name = _("Wellbeing")

    def ready(self) -> None:
        from clients import data_requests

        from . import data_export

        data_requests.add_section("survey_responses", data_export.survey_responses)

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PairworkConfig(AppConfig):
    name = "pairwork"
    verbose_name = _("Staff and work pairs")

    def ready(self) -> None:
        from . import data_generation, signals  # noqa: F401
        from .roles import ensure_role_groups

        data_generation.install()

        # After the last app migrates, so that every permission exists.
        post_migrate.connect(ensure_role_groups, dispatch_uid="pairwork.ensure_role_groups")

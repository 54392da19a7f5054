from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    """Who may see what of a client, and the append-only log of every such read or change."""

    name = "access"
    verbose_name = _("Access to client data")

    def ready(self) -> None:
        from . import storage  # noqa: F401  (registers the deployment check on the log's storage)

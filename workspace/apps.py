from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The top layer: pages and APIs that combine the apps below (home, work pairs, staff API).

    docs/rules.md "Layers": it may import every app; no app imports it.
    """

    name = "workspace"
    verbose_name = _("Workspace")

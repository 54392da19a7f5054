from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from access import guard
        from access.choices import ObjectType
        from access.policy import Policy

        from .models import Client

        guard.register(
            ObjectType.CLIENT,
            queryset=lambda: Client.objects.select_related("team"),
            client_id=lambda client: client.pk,
            rule=Policy.client_access,
        )

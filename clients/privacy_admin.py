"""Data requests and the access log in the Django admin, where administrators answer them.

`ClientDataRequestsMixin` goes in front of the client ModelAdmin: it adds the
JSON export (an action and a button on the change page) and logs the
administrator's reads and changes of a client like any other access.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from access.choices import Channel, Grounds, ObjectType
from access.log import log_access
from access.models import AccessLog
from access.policy import DENIED, Access, policy

from .data_requests import export_client_data, export_filename
from .models import Client


def _log_admin_access(request, client_id, action: str) -> None:
    client = Client.objects.filter(pk=client_id).first()
    access = policy(request.user).client_access(client) if client is not None else DENIED
    log_access(
        user=request.user, client_id=client_id, object_type=ObjectType.CLIENT, object_id=client_id,
        action=action, access=access, channel=Channel.ADMIN,
    )


class ClientDataRequestsMixin:
    change_form_template = "admin/clients/client/change_form_data_requests.html"
    actions = ["export_client_data"]

    @admin.action(description=_("Export all data of the client (JSON, data request)"))
    def export_client_data(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one client to export."), messages.WARNING)
            return None
        client = queryset.get()
        try:
            document = export_client_data(client=client, by=request.user, channel=Channel.ADMIN)
        except PermissionDenied:
            self.message_user(request, _("Only administrators can export client data."), messages.ERROR)
            return None
        response = HttpResponse(document, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{export_filename(client)}"'
        response["Cache-Control"] = "no-store"
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if object_id and str(object_id).isdigit():
            if request.method == "GET" and response.status_code == 200:
                _log_admin_access(request, int(object_id), AccessLog.Action.VIEW)
            elif request.method == "POST" and response.status_code == 302:
                _log_admin_access(request, int(object_id), AccessLog.Action.UPDATE)
        return response

    def delete_model(self, request, obj):
        client_id = obj.pk
        super().delete_model(request, obj)
        log_access(
            user=request.user, client_id=client_id, object_type=ObjectType.CLIENT, object_id=client_id,
            action=AccessLog.Action.DELETE, access=Access(True, Grounds.ADMINISTRATOR), channel=Channel.ADMIN,
        )

    def delete_queryset(self, request, queryset):
        client_ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        for client_id in client_ids:
            log_access(
                user=request.user, client_id=client_id, object_type=ObjectType.CLIENT, object_id=client_id,
                action=AccessLog.Action.DELETE, access=Access(True, Grounds.ADMINISTRATOR), channel=Channel.ADMIN,
            )

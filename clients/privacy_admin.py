"""Data requests and the access log in the Django admin, where administrators answer them.

`ClientDataRequestsMixin` goes in front of the client ModelAdmin: it adds the
JSON export (an action and a button on the change page) and logs deletions;
reads are logged by access.admin.ClientDataAdmin, changes by clients.records.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from access.choices import Channel, Grounds, ObjectType
from access.log import log_access
from access.models import AccessLog
from access.policy import Access

from .data_requests import export_client_data, export_filename
from .models import Client


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

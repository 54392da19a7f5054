"""The access log in the admin: read-only (the database refuses changes anyway), labels translated."""
from __future__ import annotations

from django.contrib import admin

from .choices import Channel, ObjectType
from .log import log_listing, log_read
from .models import AccessLog
from .policy import policy


class ClientDataAdmin:
    """For a ModelAdmin of client-bearing objects: every page that shows one is logged, on the admin channel.

    The list logs a list read of each client on the page; the change (or view),
    history and delete-confirmation pages log a read of the object's client.
    `client_id_of` names whose data an object is.
    """

    log_object_type: str = ""
    log_lists = True

    def client_id_of(self, obj) -> int | None:
        return obj.client_id

    def _log_read(self, request, response, object_id) -> None:
        if request.method != "GET" or response.status_code != 200:
            return
        obj = self.get_object(request, object_id)
        if obj is not None:
            log_read(
                user=request.user, client_id=self.client_id_of(obj), object_type=self.log_object_type,
                object_id=obj.pk, access=policy(request.user).grounds, channel=Channel.ADMIN,
            )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if changelist is not None and self.log_lists:
            log_listing(
                user=request.user, client_ids=[self.client_id_of(obj) for obj in changelist.result_list],
                object_type=self.log_object_type, channel=Channel.ADMIN,
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self._log_read(request, response, object_id)
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._log_read(request, response, object_id)
        return response

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        self._log_read(request, response, object_id)
        return response


@admin.register(AccessLog)
class AccessLogAdmin(ClientDataAdmin, admin.ModelAdmin):
    """A row names the client it is about, so opening one is a read of that client's access log.

    The list shows client ids only and is not logged (logging reads of the
    log per row shown would grow the log from itself).
    """

    log_object_type = ObjectType.ACCESS_LOG
    log_lists = False
    list_display = (
        "at", "username", "client_id", "object_type_label", "object_id", "action", "grounds", "allowed", "channel",
    )
    list_filter = ("allowed", "action", "channel")
    search_fields = ("username", "=client_id", "=object_id")
    date_hierarchy = "at"
    list_select_related = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=AccessLog._meta.get_field("object_type").verbose_name, ordering="object_type")
    def object_type_label(self, row: AccessLog) -> str:
        return row.get_object_type_display()


class ReadOnlyAdmin:
    """Shown, never written here: a service owns every change (the pages that call it are linked)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

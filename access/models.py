"""The access log: one row per read or change of client data, allowed or denied. Append-only.

The table is still `clients_accesslog` (the model moved here from the clients
app; its rows and its database rules stayed where they were).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import LEGACY_OBJECT_TYPES, Action, Channel, Grounds, ObjectType


class AccessLogQuerySet(models.QuerySet):
    def for_client(self, client_id: int) -> "AccessLogQuerySet":
        return self.filter(client_id=client_id)

    def on_days(self, first=None, last=None) -> "AccessLogQuerySet":
        """Rows from the first to the last day inclusive, days in local (Helsinki) time; None leaves a side open.

        Bounds are turned into instants so that the (client, at) index serves the range.
        """
        rows = self
        if first is not None:
            rows = rows.filter(at__gte=timezone.make_aware(dt.datetime.combine(first, dt.time.min)))
        if last is not None:
            rows = rows.filter(at__lt=timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min)))
        return rows


class AccessLog(models.Model):
    """One read or change of client data, allowed or denied. Append-only.

    Database triggers refuse UPDATE, DELETE (clients migration 0002) and
    TRUNCATE (access 0003), on the table and on each of its monthly partitions
    (access 0004; see access.storage), and the references to user and client
    carry no database constraint so that the log outlives purged clients and
    removed accounts. Rows are written only by access.log.
    """

    Action = Action
    Grounds = Grounds
    ObjectType = ObjectType
    Channel = Channel

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+", verbose_name=_("user"),
        db_index=False,  # (user_id, at DESC) serves it; one index less to write for every row
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+", verbose_name=_("client"),
        db_index=False,  # (client_id, at DESC) serves it; one index less to write for every row
    )
    object_type = models.CharField(_("object type"), max_length=60, choices=ObjectType.choices)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    grounds = models.CharField(_("grounds"), max_length=60, choices=Grounds.choices)
    allowed = models.BooleanField(_("allowed"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        db_table = "clients_accesslog"
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [models.Index(fields=["client", "-at"], name="clients_acc_client__36c04d_idx")]

    def __str__(self) -> str:
        verdict = _("allowed") if self.allowed else _("denied")
        at = timezone.localtime(self.at) if self.at else None
        return f"{at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.get_object_type_display()} ({verdict})"

    def get_object_type_display(self) -> str:
        value = LEGACY_OBJECT_TYPES.get(self.object_type, self.object_type)
        return str(ObjectType(value).label) if value in ObjectType.values else self.object_type

"""The vocabulary of the access log: on what grounds, which object, what was done, through which channel.

The values are what the database stores (and has stored since the first
version, so old rows keep their meaning); the labels are what people read,
in their own language.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grounds(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    TEAM_COORDINATOR = "team coordinator", _("coordinator of the client's team")
    VISIT_PARTICIPANT = "visit participant", _("takes part in the client's visits")
    NO_RELATIONSHIP = "no relationship", _("no relationship to the client")
    NOT_A_PARTICIPANT = "not a visit participant", _("does not take part in the visit")
    NOT_THE_AUTHOR = "not the note's author", _("not the author of the note")
    NOT_AN_ADMINISTRATOR = "not an administrator", _("not an administrator")
    RETENTION_PERIOD_ENDED = "retention period ended", _("retention period ended")


class ObjectType(models.TextChoices):
    CLIENT = "client", _("client details")
    CLIENT_DATA = "client data", _("all of the client's data")
    FAMILIAR_NURSES = "familiar_nurses", _("familiar nurses")
    SERVICE_CIRCLE = "service_circle", _("service circle")
    VISIT = "visit", _("visit")
    VISIT_SERIES = "visit series", _("visit series")
    VISIT_NOTE = "visit note", _("visit note")
    VISIT_NOTES = "visit notes", _("visit notes")
    SURVEY_RESPONSE = "survey_response", _("outcome answers")
    CLIENT_SURVEY_RESPONSES = "client_survey_responses", _("list of outcome answers")
    ACCESS_LOG = "access log", _("access log")


# Spellings written by earlier versions; the log is append-only, so they are read, never rewritten.
LEGACY_OBJECT_TYPES = {"visit_series": ObjectType.VISIT_SERIES}


class Action(models.TextChoices):
    VIEW = "view", _("viewed")
    LIST = "list", _("listed")
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    EXPORT = "export", _("exported")


class Channel(models.TextChoices):
    WEB = "web", _("web page")
    API = "api", _("API")
    ADMIN = "admin", _("admin site")
    COMMAND = "command", _("scheduled job")

"""Home-care clients, the nurses they know and their service circle. (Who read their data: access.models.)"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.policy import policy
from pairwork.choices import ArtForm, Language, Weekday
from pairwork.models import Role, StaffProfile, Team
from pairwork.limits import LONG_TEXT_MAX_LENGTH


class ClientQuerySet(models.QuerySet):
    def active(self) -> "ClientQuerySet":
        return self.filter(archived_at__isnull=True)

    def archived(self) -> "ClientQuerySet":
        return self.filter(archived_at__isnull=False)

    def in_teams(self, teams) -> "ClientQuerySet":
        return self.filter(team__in=teams)

    def visible_to(self, user) -> "ClientQuerySet":
        """The clients whose data `user` may see at all (access.policy decides)."""
        return self.filter(policy(user).client_scope())


class TimeOfDay(models.TextChoices):
    """When in the day a client prefers visits (Europe/Helsinki wall clock)."""

    ANY = "", _("Any time")
    MORNING = "morning", _("Morning (8–12)")
    AFTERNOON = "afternoon", _("Afternoon (12–16)")
    EVENING = "evening", _("Evening (16–20)")
    BETWEEN = "between", _("Between the times below")


# The local hours behind each named part of the day (from, until).
TIME_OF_DAY_HOURS = {
    TimeOfDay.MORNING: (8, 12),
    TimeOfDay.AFTERNOON: (12, 16),
    TimeOfDay.EVENING: (16, 20),
}


class Client(models.Model):
    """A home-care client. Health notes are for nurses and coordinators only."""

    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="clients", verbose_name=_("team"))
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    area = models.CharField(_("area"), max_length=120, help_text=_("District or municipality."))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.FINNISH)
    needs_and_wishes = models.TextField(_("needs and wishes"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    preferred_art_forms = ArrayField(
        models.CharField(max_length=20, choices=ArtForm.choices), default=list, blank=True, verbose_name=_("preferred art forms")
    )
    safety_notes = models.TextField(
        _("safety notes"), blank=True, max_length=LONG_TEXT_MAX_LENGTH, help_text=_("What anyone entering the home must know (pets, door code, mobility).")
    )
    health_notes = models.TextField(
        _("health notes"), blank=True, max_length=LONG_TEXT_MAX_LENGTH, help_text=_("Visible to nurses and coordinators only, never to artists.")
    )
    preferred_weekdays = ArrayField(
        models.PositiveSmallIntegerField(choices=Weekday.choices), default=list, blank=True,
        verbose_name=_("preferred weekdays"), help_text=_("Leave empty if any weekday suits the client."),
    )
    preferred_time_of_day = models.CharField(
        _("preferred time of day"), max_length=10, choices=TimeOfDay.choices, default=TimeOfDay.ANY, blank=True,
        help_text=_("Used first when looking for the next free time; the coordinator can still choose another."),
    )
    preferred_from = models.TimeField(_("preferred from"), null=True, blank=True)
    preferred_until = models.TimeField(_("preferred until"), null=True, blank=True)
    consent_given = models.BooleanField(_("consent given"), default=False)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("consent recorded by")
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_given=False) | Q(consent_date__isnull=False), name="client_consent_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(preferred_time_of_day=TimeOfDay.BETWEEN)
                | Q(preferred_from__isnull=False, preferred_until__gt=models.F("preferred_from")),
                name="client_preferred_between_has_times",
            ),
        ]
        indexes = [models.Index(fields=["team", "archived_at"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_active(self) -> bool:
        return self.archived_at is None

    @property
    def preferred_hours(self):
        """The preferred local (from, until) times, or None when any time suits."""
        if self.preferred_time_of_day == TimeOfDay.BETWEEN and self.preferred_from and self.preferred_until:
            return self.preferred_from, self.preferred_until
        hours = TIME_OF_DAY_HOURS.get(self.preferred_time_of_day)
        return (dt.time(hours[0]), dt.time(hours[1])) if hours else None

    @property
    def preference_text(self) -> str:
        """'Mon, Thu · Morning (8–12)' for pages; empty when the client has no preference."""
        days = ", ".join(str(Weekday(day).label) for day in sorted(self.preferred_weekdays) if day in Weekday.values)
        if self.preferred_time_of_day == TimeOfDay.BETWEEN and self.preferred_hours:
            start, end = self.preferred_hours
            when = f"{start:%H:%M}–{end:%H:%M}"
        else:
            when = str(TimeOfDay(self.preferred_time_of_day).label) if self.preferred_time_of_day else ""
        return " · ".join(part for part in (days, when) if part)


class CareRelationship(models.Model):
    """A nurse the client already knows and trusts (a 'familiar nurse')."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_relationships", verbose_name=_("client"))
    nurse = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="care_relationships", verbose_name=_("nurse"))
    # Pinned by a composite foreign key to (staffprofile.id, role): only nurses.
    nurse_role = models.CharField(max_length=20, default=Role.NURSE, editable=False)
    is_primary = models.BooleanField(_("primary nurse"), default=False)
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        ordering = ["-is_primary", "nurse__user__last_name"]
        verbose_name = _("familiar nurse")
        verbose_name_plural = _("familiar nurses")
        constraints = [
            models.UniqueConstraint(fields=["client", "nurse"], name="carerelationship_once_per_nurse"),
            models.UniqueConstraint(fields=["client"], condition=Q(is_primary=True), name="carerelationship_one_primary"),
            models.CheckConstraint(condition=Q(nurse_role=Role.NURSE), name="carerelationship_nurse_role_is_nurse"),
        ]

    def __str__(self) -> str:
        return f"{self.nurse} ({_('primary') if self.is_primary else _('familiar')})"


class ServiceCircleEntry(models.Model):
    """Another service the client receives, with its contact professional."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="service_circle", verbose_name=_("client"))
    service = models.CharField(_("service"), max_length=120, help_text=_("E.g. meals on wheels, day activity, physiotherapy."))
    organisation = models.CharField(_("organisation"), max_length=160)
    contact_person = models.CharField(_("contact person"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["service"]
        verbose_name = _("service circle entry")
        verbose_name_plural = _("service circle")

    def __str__(self) -> str:
        return f"{self.service} – {self.organisation}"

"""Staff side: teams, staff profiles with roles and availability, work pairs."""
from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .limits import LONG_TEXT_MAX_LENGTH, validate_date_in_window

from .choices import ArtForm, Language, Weekday


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Care coordinator")
    ARTIST = "artist", _("Artist")
    NURSE = "nurse", _("Nurse")
    MANAGER = "manager", _("Manager")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    area = models.CharField(_("area"), max_length=120, blank=True, help_text=_("Municipality or district the team serves."))
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    travel_buffer_minutes = models.PositiveSmallIntegerField(
        _("travel time between visits (minutes)"), default=15, validators=[MaxValueValidator(120)],
        help_text=_(
            "The least time one person needs between visits at different addresses. Suggestions keep it; "
            "a booking inside it is allowed with a warning."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class StaffProfileQuerySet(models.QuerySet):
    def with_role(self, role: str) -> "StaffProfileQuerySet":
        return self.filter(role=role)

    def artists(self) -> "StaffProfileQuerySet":
        return self.with_role(Role.ARTIST)

    def nurses(self) -> "StaffProfileQuerySet":
        return self.with_role(Role.NURSE)

    def in_teams(self, teams) -> "StaffProfileQuerySet":
        return self.filter(teams__in=teams).distinct()

    def active(self) -> "StaffProfileQuerySet":
        return self.filter(user__is_active=True)


class StaffProfile(models.Model):
    """A person who works in the service; the role decides what they may see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    teams = models.ManyToManyField(Team, related_name="members", blank=True, verbose_name=_("teams"))
    art_forms = ArrayField(
        models.CharField(max_length=20, choices=ArtForm.choices), default=list, blank=True, verbose_name=_("art forms")
    )
    languages = ArrayField(
        models.CharField(max_length=5, choices=Language.choices),
        default=list,
        blank=True,
        verbose_name=_("languages"),
        help_text=_("Languages the person can work in."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation_wide = models.BooleanField(
        _("organisation-wide"), default=False, help_text=_("A manager who sees the aggregates of every team.")
    )
    # A SHA-256 of the private calendar-feed token; the token itself is shown once.
    calendar_token_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = StaffProfileQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        constraints = [
            # Target of the role-pinned foreign keys of work pairs and care relationships.
            models.UniqueConstraint(fields=["id", "role"], name="staffprofile_id_role_key"),
            models.UniqueConstraint(
                fields=["calendar_token_hash"], condition=~Q(calendar_token_hash=""), name="staffprofile_calendar_token_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class WeeklyAvailability(models.Model):
    """A recurring slot in which a staff member can make visits."""

    staff = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="availability", verbose_name=_("staff"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))

    class Meta:
        ordering = ["staff", "weekday", "starts_at"]
        verbose_name = _("weekly availability")
        verbose_name_plural = _("weekly availability")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="availability_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class WorkPairQuerySet(models.QuerySet):
    def active_on(self, day) -> "WorkPairQuerySet":
        return self.filter(Q(active_until__isnull=True) | Q(active_until__gte=day), active_from__lte=day)

    def active(self) -> "WorkPairQuerySet":
        return self.active_on(timezone.localdate())

    def in_teams(self, teams) -> "WorkPairQuerySet":
        return self.filter(team__in=teams)

    def with_people(self) -> "WorkPairQuerySet":
        return self.select_related("artist__user", "nurse__user", "team")


class WorkPair(models.Model):
    """An artist and a nurse who visit clients together under a shared agreement."""

    artist = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, related_name="pairs_as_artist", verbose_name=_("artist")
    )
    nurse = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="pairs_as_nurse", verbose_name=_("nurse"))
    # Fixed role columns: a composite foreign key (artist_id, artist_role) ->
    # staffprofile (id, role), added in the migration, lets PostgreSQL itself
    # refuse a pair whose artist is not an artist or whose nurse is not a nurse,
    # and refuse changing the role of someone who is in a pair.
    artist_role = models.CharField(max_length=20, default=Role.ARTIST, editable=False)
    nurse_role = models.CharField(max_length=20, default=Role.NURSE, editable=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="pairs", verbose_name=_("team"))
    active_from = models.DateField(_("active from"), default=timezone.localdate, validators=[validate_date_in_window])
    active_until = models.DateField(
        _("active until"), null=True, blank=True, help_text=_("Empty while the pair works."), validators=[validate_date_in_window]
    )
    shared_agreement = models.TextField(
        _("shared agreement"), blank=True, max_length=LONG_TEXT_MAX_LENGTH, help_text=_("The pair's shared goals, values and roles.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = WorkPairQuerySet.as_manager()

    class Meta:
        ordering = ["team", "artist__user__last_name"]
        verbose_name = _("work pair")
        verbose_name_plural = _("work pairs")
        constraints = [
            models.CheckConstraint(condition=Q(artist_role=Role.ARTIST), name="workpair_artist_role_is_artist"),
            models.CheckConstraint(condition=Q(nurse_role=Role.NURSE), name="workpair_nurse_role_is_nurse"),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True) | Q(active_until__gte=models.F("active_from")),
                name="workpair_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.artist} & {self.nurse}"

    def is_active_on(self, day) -> bool:
        return self.active_from <= day and (self.active_until is None or self.active_until >= day)


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A key another system uses to call the API, acting as its owner.

    Only a SHA-256 of the key is stored; the key itself is shown once, when an
    administrator creates it. The owner's role and scope decide what the
    system may see and do, exactly as if the owner were signed in.
    """

    name = models.CharField(_("name"), max_length=120, help_text=_("Which system uses the token, e.g. 'Client register sync'."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("owner"),
        help_text=_("The API acts with this user's role and scope."),
    )
    prefix = models.CharField(_("prefix"), max_length=12, editable=False, help_text=_("The first characters of the token, to recognise it."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            # Only a digest is ever stored: a raw key in this column would be refused.
            models.CheckConstraint(condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="apitoken_key_hash_is_sha256"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

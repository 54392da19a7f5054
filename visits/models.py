"""Joint visits of a work pair to a client, their history, participants and notes."""
from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.policy import policy
from clients.models import Client
from pairwork.choices import ArtForm
from pairwork.models import Role, StaffProfile, Team, WorkPair

from pairwork import limits


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    COMPLETED = "completed", _("Completed")
    CLIENT_DECLINED = "declined", _("Client declined")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED_ON_ARRIVAL = "cancelled_on_arrival", _("Cancelled on arrival")
    CANCELLED = "cancelled", _("Cancelled")


# Every status but CANCELLED holds its time slot. The SQL in migration 0002
# (participant sync trigger) uses the same rule: keep them together.
INACTIVE_STATUSES = (VisitStatus.CANCELLED,)
OUTCOME_STATUSES = (
    VisitStatus.COMPLETED,
    VisitStatus.CLIENT_DECLINED,
    VisitStatus.NO_SHOW,
    VisitStatus.CANCELLED_ON_ARRIVAL,
)


class VisitSeries(models.Model):
    """A weekly-recurring plan; its visits are created one by one and may be skipped."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="visit_series", verbose_name=_("client"))
    pair = models.ForeignKey(WorkPair, on_delete=models.PROTECT, related_name="visit_series", verbose_name=_("pair"))
    first_starts_at = models.DateTimeField(_("first visit starts"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(limits.MIN_DURATION_MINUTES), MaxValueValidator(limits.MAX_DURATION_MINUTES)],
    )
    interval_weeks = models.PositiveSmallIntegerField(
        _("every N weeks"), default=1, validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_INTERVAL_WEEKS)]
    )
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(
        _("number of visits"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_OCCURRENCES)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("visit series")
        verbose_name_plural = _("visit series")
        constraints = [
            models.CheckConstraint(condition=Q(until__isnull=False) | Q(count__isnull=False), name="visitseries_has_end"),
            models.CheckConstraint(condition=Q(interval_weeks__gte=1), name="visitseries_interval_positive"),
        ]

    def __str__(self) -> str:
        return f"{_('Series')} #{self.pk}"


class SkippedOccurrence(models.Model):
    """An occurrence of a series that was not created, and why (who was busy when).

    Kept so the series report can be shown again after the request that
    created the series; the clash facts hold no client names (see
    visits.conflicts.Clash.to_record).
    """

    class Reason(models.TextChoices):
        BUSY = "busy", _("Someone was busy")
        PAIR_ENDED = "pair_ended", _("The pair had ended by then")
        NONEXISTENT_TIME = "nonexistent_time", _("That local time did not exist that day (the clocks moved forward)")
        AMBIGUOUS_TIME = "ambiguous_time", _("That local time happened twice that day (the clocks moved back)")
        ABSENT = "absent", _("Someone was absent")

    series = models.ForeignKey(VisitSeries, on_delete=models.CASCADE, related_name="skipped", verbose_name=_("series"))
    starts_at = models.DateTimeField(_("would have started"))
    ends_at = models.DateTimeField(_("would have ended"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    clashes = models.JSONField(_("clashes"), default=list, blank=True)

    class Meta:
        ordering = ["series", "starts_at"]
        verbose_name = _("skipped occurrence")
        verbose_name_plural = _("skipped occurrences")

    def __str__(self) -> str:
        return f"{self.series} {self.get_reason_display()}"


class VisitQuerySet(models.QuerySet):
    def active(self) -> "VisitQuerySet":
        return self.exclude(status__in=INACTIVE_STATUSES)

    def upcoming(self) -> "VisitQuerySet":
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at")

    def between(self, start, end) -> "VisitQuerySet":
        return self.filter(starts_at__lt=end, ends_at__gt=start)

    def for_staff(self, staff: StaffProfile) -> "VisitQuerySet":
        return self.filter(participants__staff=staff)

    def for_staff_between(self, staff: StaffProfile, start, end=None) -> "VisitQuerySet":
        """The visits `staff` takes part in that overlap [start, end) (`end` None: from `start` on).

        The same as `for_staff(staff).between(start, end)`, read through the
        participant's copy of the visit's range: PostgreSQL starts from the
        person's own participations then, instead of walking every visit of
        the region from `start` on and asking for each whether they take part.
        """
        return self.filter(participants__staff=staff, participants__during__overlap=(start, end))

    def in_teams(self, teams) -> "VisitQuerySet":
        return self.filter(team__in=teams)

    def with_pair(self) -> "VisitQuerySet":
        """Client and the planned pair (one visit: its participants come with one more query when needed)."""
        return self.select_related("client", "pair__artist__user", "pair__nurse__user", "pair__team")

    def with_people(self) -> "VisitQuerySet":
        """Client, planned pair and the people who actually take part (a stand-in may replace a member)."""
        return self.with_pair().prefetch_related(
            models.Prefetch("participants", queryset=VisitParticipant.objects.select_related("staff__user"))
        )

    def visible_to(self, user) -> "VisitQuerySet":
        """The visits `user` may see (access.policy decides)."""
        return self.filter(policy(user).visit_scope())


class Visit(models.Model):
    """A joint home visit. Time slots are guarded by PostgreSQL, not by Python.

    The client's slot is an exclusion constraint here; each person's slot is
    one on VisitParticipant, whose copy of the time range and status a
    trigger keeps equal to the visit's. Ranges are half-open, so a visit may
    start exactly when another ends.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="visits", verbose_name=_("client"))
    pair = models.ForeignKey(WorkPair, on_delete=models.PROTECT, related_name="visits", verbose_name=_("pair"))
    # A copy of the pair's team, written only by the database (trigger in migration 0010), so that a team's
    # visits come in time order from the (team, starts_at) index instead of a walk past every other team's.
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, editable=False, db_index=False, related_name="visits",
        verbose_name=_("team"),
    )
    series = models.ForeignKey(
        VisitSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits", verbose_name=_("series")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=24, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    cancellation_reason = models.TextField(_("cancellation reason"), blank=True, max_length=limits.REASON_MAX_LENGTH)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("outcome recorded by")
    )
    outcome_recorded_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="visit_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status=VisitStatus.CANCELLED) | ~Q(cancellation_reason=""), name="visit_cancel_has_reason"
            ),
            ExclusionConstraint(
                name="visit_client_no_overlap",
                # The client first: its index then finds one client's visits at a time (the check on every
                # booking, a client's busy times) instead of every visit of the region at that time.
                expressions=[
                    ("client", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status__in=INACTIVE_STATUSES),
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["pair", "starts_at"]),
            # A client's first, next and latest visit (the measurement schedules, the client page): without it
            # PostgreSQL walks the starts_at index past every other client's visits.
            models.Index(fields=["client", "starts_at"], name="visit_client_starts_idx"),
            # A coordinator's visits (the team's, oldest or from a day on): the API list, the calendar.
            models.Index(fields=["team", "starts_at"], name="visit_team_starts_idx"),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{local:%Y-%m-%d %H:%M} {self.get_status_display()}"

    def save(self, *args, **kwargs):
        # The database sets the team from the pair whatever is written; this keeps a new object's own copy
        # right too, without a query (only from a pair already loaded).
        if self.team_id is None and Visit.pair.is_cached(self):
            self.team_id = self.pair.team_id
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status not in INACTIVE_STATUSES

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def _taking_part(self, role: str) -> StaffProfile:
        for participant in self.participants.all():
            if participant.role == role:
                return participant.staff
        return self.pair.artist if role == Role.ARTIST else self.pair.nurse

    @property
    def artist(self) -> StaffProfile:
        """The artist who actually comes: the pair's, or a stand-in (prefetch with `with_people`)."""
        return self._taking_part(Role.ARTIST)

    @property
    def nurse(self) -> StaffProfile:
        """The nurse who actually comes: the pair's, or a stand-in."""
        return self._taking_part(Role.NURSE)

    @property
    def has_stand_in(self) -> bool:
        return self.artist.pk != self.pair.artist_id or self.nurse.pk != self.pair.nurse_id


class VisitParticipantQuerySet(models.QuerySet):
    def busy_between(self, start, end) -> "VisitParticipantQuerySet":
        """Participations in active visits overlapping [start, end): who is busy then.

        Through the participant's own copy of the visit's range, so the
        person's exclusion constraint index (staff, range) finds them; the
        same condition on the visit's columns needs a scan of every visit in
        the period, the whole region's.
        """
        return self.filter(visit_active=True, during__overlap=(start, end))


class VisitParticipant(models.Model):
    """A person taking part in a visit; one note each."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="participants", verbose_name=_("visit"))
    staff = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="visit_participations", verbose_name=_("staff"))
    role = models.CharField(_("role"), max_length=20, choices=[(Role.ARTIST, Role.ARTIST.label), (Role.NURSE, Role.NURSE.label)])
    # Copies of the visit's range and status, written only by the database
    # trigger (migration 0002) so that the exclusion constraint below can see them.
    during = DateTimeRangeField(null=True, editable=False)
    visit_active = models.BooleanField(default=True, editable=False)

    objects = VisitParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["role"]
        verbose_name = _("visit participant")
        verbose_name_plural = _("visit participants")
        constraints = [
            models.UniqueConstraint(fields=["visit", "staff"], name="visitparticipant_once_per_visit"),
            ExclusionConstraint(
                name="visitparticipant_person_no_overlap",
                # The person first, as for the client's: `VisitParticipant.objects.busy_between` reads through it.
                expressions=[("staff", RangeOperators.EQUAL), ("during", RangeOperators.OVERLAPS)],
                condition=Q(visit_active=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} ({self.get_role_display()})"


class VisitEvent(models.Model):
    """The history of a visit: scheduled, moved, cancelled, outcome recorded."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CANCELLED = "cancelled", _("Cancelled")
        RESTORED = "restored", _("Restored")
        OUTCOME = "outcome", _("Outcome recorded")
        STAND_IN = "stand_in", _("Stand-in")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events", verbose_name=_("visit"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    previous_starts_at = models.DateTimeField(null=True, blank=True)
    previous_ends_at = models.DateTimeField(null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=24, choices=VisitStatus.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=limits.REASON_MAX_LENGTH)
    # A stand-in: who could not come and who came instead (visits.standins); the pair stays as planned.
    previous_staff = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("instead of")
    )
    staff = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("stand-in")
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    # Set once both pair members have been e-mailed about this change
    # (visits.tasks); what is still empty is what the periodic reconcile resends.
    notified_at = models.DateTimeField(_("participants notified"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("visit event")
        verbose_name_plural = _("visit history")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


SCORE_1_TO_5 = [MinValueValidator(1), MaxValueValidator(5)]


class VisitNote(models.Model):
    """What one participant logged about a visit. Editable by its author for 48 hours."""

    EDIT_WINDOW_HOURS = 48

    participant = models.OneToOneField(
        VisitParticipant, on_delete=models.CASCADE, related_name="note", verbose_name=_("participant")
    )
    art_form = models.CharField(_("art form"), max_length=20, choices=ArtForm.choices, blank=True)
    activities = models.TextField(_("what was done"), max_length=limits.LONG_TEXT_MAX_LENGTH)
    engagement = models.PositiveSmallIntegerField(_("client's engagement (1–5)"), validators=SCORE_1_TO_5)
    mood_before = models.PositiveSmallIntegerField(_("mood before (1–5)"), validators=SCORE_1_TO_5)
    mood_after = models.PositiveSmallIntegerField(_("mood after (1–5)"), validators=SCORE_1_TO_5)
    care_plan_observations = models.TextField(
        _("observations for the care plan"), blank=True, max_length=limits.LONG_TEXT_MAX_LENGTH
    )
    next_visit_suggestions = models.TextField(
        _("suggestions for the next visit"), blank=True, max_length=limits.LONG_TEXT_MAX_LENGTH
    )
    free_text = models.TextField(_("other notes"), blank=True, max_length=limits.LONG_TEXT_MAX_LENGTH)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last edited"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("visit note")
        verbose_name_plural = _("visit notes")
        constraints = [
            models.CheckConstraint(condition=Q(engagement__range=(1, 5)), name="visitnote_engagement_1_5"),
            models.CheckConstraint(condition=Q(mood_before__range=(1, 5)), name="visitnote_mood_before_1_5"),
            models.CheckConstraint(condition=Q(mood_after__range=(1, 5)), name="visitnote_mood_after_1_5"),
        ]

    def __str__(self) -> str:
        return f"{_('Note')} #{self.pk}"


class VisitNoteVersion(models.Model):
    """A snapshot of a note as saved; every save adds one."""

    note = models.ForeignKey(VisitNote, on_delete=models.CASCADE, related_name="versions", verbose_name=_("note"))
    version = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        ordering = ["note", "version"]
        verbose_name = _("visit note version")
        verbose_name_plural = _("visit note versions")
        constraints = [models.UniqueConstraint(fields=["note", "version"], name="visitnoteversion_unique")]

    def __str__(self) -> str:
        return f"{self.note} v{self.version}"


class ClientAbsence(models.Model):
    """A period the client is away (hospital, respite care, travel): no visits then.

    Whole Helsinki days, `starts_on` to `ends_on` inclusive. Recording one
    cancels the client's planned visits in it (visits.client_absences), and
    `AbsenceCancellation` remembers exactly which, so that shortening or
    withdrawing it restores those and no others. The kind and reason are
    client data for coordinators only: the pair sees "the client is away".
    """

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital stay")
        RESPITE = "respite", _("Respite care")
        TRAVEL = "travel", _("Travel")
        OTHER = "other", _("Other")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="absences", verbose_name=_("client"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.TextField(_("reason"), blank=True, max_length=limits.REASON_MAX_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("client absence")
        verbose_name_plural = _("client absences")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="clientabsence_ends_after_start"),
        ]
        indexes = [models.Index(fields=["client", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class AbsenceCancellation(models.Model):
    """A visit that a client absence cancelled; `restored_at` once the absence gave it back."""

    absence = models.ForeignKey(ClientAbsence, on_delete=models.CASCADE, related_name="cancellations", verbose_name=_("absence"))
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="absence_cancellations", verbose_name=_("visit"))
    restored_at = models.DateTimeField(_("restored"), null=True, blank=True)

    class Meta:
        ordering = ["visit__starts_at"]
        verbose_name = _("visit cancelled by an absence")
        verbose_name_plural = _("visits cancelled by absences")
        constraints = [models.UniqueConstraint(fields=["absence", "visit"], name="absencecancellation_once")]

    def __str__(self) -> str:
        return f"{self.absence} → {self.visit}"


class AbsenceKind(models.TextChoices):
    SICK_LEAVE = "sick_leave", _("sick leave")
    HOLIDAY = "holiday", _("holiday")
    TRAINING = "training", _("training")


class StaffAbsenceQuerySet(models.QuerySet):
    def active(self) -> "StaffAbsenceQuerySet":
        """Not withdrawn (withdrawn absences are kept, never deleted)."""
        return self.filter(withdrawn_at__isnull=True)

    def overlapping(self, start, end) -> "StaffAbsenceQuerySet":
        """Half-open overlap: an absence ending at 10:00 does not touch a visit starting at 10:00."""
        return self.filter(starts_at__lt=end, ends_at__gt=start)

    def visible_to(self, user) -> "StaffAbsenceQuerySet":
        return self.filter(policy(user).absence_scope())


class StaffAbsence(models.Model):
    """A person's sick leave, holiday or training: they make no visits from `starts_at` to `ends_at`.

    All-day absences run from local midnight to local midnight (Europe/Helsinki),
    so a day is 23 or 25 hours when the clocks turn. Staff data, not client data:
    the note must not hold anything about a client. Never deleted: a withdrawn
    absence keeps who withdrew it and when.
    """

    person = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="absences", verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=20, choices=AbsenceKind.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    all_day = models.BooleanField(_("all day"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("withdrawn by"), editable=False,
    )
    # Set once the team's coordinators have been e-mailed about the visits it affects (visits.absence_mail);
    # what is still empty is what the periodic reconcile sends.
    notified_at = models.DateTimeField(_("coordinators notified"), null=True, blank=True, editable=False)

    objects = StaffAbsenceQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("staff absence")
        verbose_name_plural = _("staff absences")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="staffabsence_ends_after_start"),
            # One person is not absent twice at once: PostgreSQL refuses an overlapping absence.
            ExclusionConstraint(
                name="staffabsence_person_no_overlap",
                expressions=[
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("person", RangeOperators.EQUAL),
                ],
                condition=Q(withdrawn_at__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["person", "starts_at"])]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.get_kind_display()} {local:%Y-%m-%d}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def badge(self) -> str:
        """'Hanna Hoitaja is absent (sick leave)': shown on each affected visit."""
        from django.utils.translation import gettext

        return gettext("%(person)s is absent (%(kind)s)") % {
            "person": self.person.display_name, "kind": self.get_kind_display(),
        }

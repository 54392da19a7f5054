"""Stand-ins: this visit, this person cannot come — who comes instead, ranked, and applying it.

docs/rules.md rule 2, continuity first. For one visit and the participant who
cannot come, `stand_in_options` lists, best first:

(a) the artist cannot come: keep the nurse (the client's familiar one) and
    bring another artist of the team;
(b) the nurse cannot come: keep the artist with another of the client's
    familiar nurses (care relationships, then nurses who visited before);
    after them, a nurse of the team the client does not know yet;
(c) another free pair of the team (both members change), familiar nurse first;
(d) the next time the original pair is free: a move, not a replacement.

Inside a group, as in visits.suggestions: more of the client's art forms,
more speakers of the client's language, no travel-time warning, then by name.
Only people who are free appear: no overlapping active visit, inside their
weekly availability, and not `unavailable` (the one hook where staff
absences plug in); a travel buffer that would be cut short is shown as a
reason against and ranks the option lower.

Applying changes only the visit's participant rows (the planned pair,
Visit.pair, stays: no permanent pair is created); the exclusion constraint on
participants decides a clash. A move goes through services.reschedule_visit.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from access.choices import ObjectType
from access.log import log_access
from access.models import AccessLog
from access.policy import policy
from clients.models import CareRelationship
from pairwork.choices import ArtForm, Language
from pairwork.jobs import enqueue_on_commit
from pairwork.models import Role, StaffProfile, WeeklyAvailability, WorkPair
from pairwork.timing import end_after, real_duration

from . import services
from .absences import absent_intervals
from .conflicts import SchedulingConflict, format_local_range, translate_overlap_errors
from .models import Visit, VisitEvent, VisitNote, VisitParticipant, VisitStatus
from .recurrence import local_datetime
from .suggestions import Reason, _within_availability, candidate_pairs
from .travel import tight_transfers

# How far ahead option (d) looks for the original pair's next free time.
MOVE_HORIZON_DAYS = 28

KEEP_NURSE, KEEP_ARTIST, OTHER_PAIR, MOVE = "keep_nurse", "keep_artist", "other_pair", "move"


def unavailable(person_ids: Iterable[int], start: dt.datetime, end: dt.datetime) -> set[int]:
    """The people of `person_ids` who cannot work at all in [start, end): their staff absences (visits.absences).

    The one place where the stand-in search consults absences. One query.
    """
    return {person_id for person_id, spans in absent_intervals(person_ids, start, end).items() if spans}


@dataclass
class StandInOption:
    """One way to still make the visit: who comes (or when), and the reasons for and against."""

    kind: str
    artist: StaffProfile | None = None
    nurse: StaffProfile | None = None
    starts_at: dt.datetime | None = None  # MOVE: the new time
    ends_at: dt.datetime | None = None
    reasons: list[Reason] = field(default_factory=list)
    rank: tuple = ()

    @property
    def is_move(self) -> bool:
        return self.kind == MOVE

    @property
    def key(self) -> str:
        """What the page posts back: the people, or the new time."""
        if self.is_move:
            return f"move:{self.starts_at.isoformat()}"
        return f"people:{self.artist.pk}:{self.nurse.pk}"

    @property
    def title(self) -> str:
        if self.is_move:
            return _("Move the visit to %(when)s") % {"when": format_local_range(self.starts_at, self.ends_at)}
        return f"{self.artist.display_name} & {self.nurse.display_name}"

    @property
    def summary(self) -> str:
        return {
            KEEP_NURSE: _("Another artist, the same nurse"),
            KEEP_ARTIST: _("Another nurse, the same artist"),
            OTHER_PAIR: _("Another pair of the team"),
            MOVE: _("The planned pair at another time"),
        }[self.kind]


def weighting_sentence() -> str:
    return _(
        "Continuity comes first: keeping the familiar nurse, then the artist, then another pair, and only then another "
        "time; inside each, the client's art forms, language and enough travel time decide."
    )


def _participant(participants: Iterable[VisitParticipant], person_id: int) -> VisitParticipant:
    for participant in participants:
        if participant.staff_id == person_id:
            return participant
    raise ValidationError({"person": _("This person does not take part in this visit.")})


def _validate_visit(visit: Visit) -> None:
    if visit.status != VisitStatus.PLANNED:
        raise ValidationError({"__all__": _("Only planned visits can get a stand-in. This visit's status: %(status)s.") % {
            "status": visit.get_status_display(),
        }})
    if visit.ends_at <= timezone.now():
        raise ValidationError({"__all__": _("This visit is over; a stand-in can no longer be found.")})


def _busy_ids(person_ids: set[int], start: dt.datetime, end: dt.datetime, exclude_visit_id: int) -> set[int]:
    """Who of them has another active visit overlapping [start, end) (one query)."""
    if not person_ids:
        return set()
    return set(
        VisitParticipant.objects.filter(staff_id__in=person_ids).busy_between(start, end)
        .exclude(visit_id=exclude_visit_id).values_list("staff_id", flat=True)
    )


def _familiar_nurses(visit: Visit) -> dict[int, bool]:
    """The client's familiar nurses (id → primary), and the nurses who visited before (not primary)."""
    familiar = dict(CareRelationship.objects.filter(client_id=visit.client_id).values_list("nurse_id", "is_primary"))
    earlier = VisitParticipant.objects.filter(
        visit__client_id=visit.client_id, role=Role.NURSE, visit__starts_at__lt=visit.starts_at, visit_active=True,
    ).values_list("staff_id", flat=True).distinct()
    for nurse_id in earlier:
        familiar.setdefault(nurse_id, False)
    return familiar


def _fit(option: StandInOption, visit: Visit, changed: list[StaffProfile], tight_ids: dict[int, list]) -> tuple:
    """Art forms, language and travel-time reasons for the people who change; the in-group rank."""
    client = visit.client
    people = [person for person in (option.artist, option.nurse) if person is not None]
    preferred = set(client.preferred_art_forms)
    shared = sorted(preferred & {form for person in people for form in person.art_forms})
    if shared:
        forms = ", ".join(str(ArtForm(code).label) for code in shared)
        option.reasons.append(Reason(_("Art forms the client likes: %(forms)s") % {"forms": forms}, True))
    else:
        option.reasons.append(Reason(_("None of the client's preferred art forms"), False))
    language = str(Language(client.language).label) if client.language in Language.values else client.language
    speakers = [person for person in changed if client.language in person.languages]
    for person in changed:
        if person in speakers:
            option.reasons.append(Reason(_("%(person)s speaks %(language)s") % {"person": person.display_name, "language": language}, True))
        else:
            option.reasons.append(Reason(_("%(person)s does not speak %(language)s") % {
                "person": person.display_name, "language": language,
            }, False))
    tight = [transfer for person in changed for transfer in tight_ids.get(person.pk, [])]
    if tight:
        option.reasons += [Reason(transfer.message, False) for transfer in tight]
    else:
        option.reasons.append(Reason(_("Free, within their weekly availability and with enough travel time"), True))
    return (-len(shared), len(changed) - len(speakers), len(tight), *(person.display_name for person in changed))


def stand_in_options(visit: Visit, absent_person: StaffProfile, viewer) -> list[StandInOption]:
    """Ranked ways to make `visit` without `absent_person`, best first, with reasons.

    `viewer` must manage the visit's team (PermissionDenied otherwise). A
    fixed number of queries whatever the team's size.
    """
    policy(viewer).require_manager(visit.pair.team_id)
    visit = Visit.objects.with_people().get(pk=visit.pk)
    _validate_visit(visit)
    absent = _participant(visit.participants.all(), absent_person.pk)
    start, end, team_id = visit.starts_at, visit.ends_at, visit.pair.team_id
    staying = next((p.staff for p in visit.participants.all() if p.pk != absent.pk), None)
    familiar = _familiar_nurses(visit)
    day = timezone.localdate(start)

    slots = WeeklyAvailability.objects.order_by("weekday", "starts_at")
    same_role = list(
        StaffProfile.objects.active().filter(teams__id=team_id, role=absent.role)
        .exclude(pk__in=[p.staff_id for p in visit.participants.all()])
        .select_related("user").prefetch_related(Prefetch("availability", queryset=slots)).distinct()
    )
    pairs = [
        pair for pair in candidate_pairs(visit.client, day)
        if pair.pk != visit.pair_id and not {pair.artist_id, pair.nurse_id} & {p.staff_id for p in visit.participants.all()}
    ]
    everyone = {person.pk: person for person in same_role}
    everyone |= {person.pk: person for pair in pairs for person in (pair.artist, pair.nurse)}
    out = _busy_ids(set(everyone), start, end, visit.pk) | unavailable(everyone, start, end)
    free = {pk for pk, person in everyone.items() if pk not in out and _within_availability(person, start, end)}
    tight_ids: dict[int, list] = {}
    for transfer in tight_transfers(
        people=[everyone[pk] for pk in free], address=visit.client.street_address, starts_at=start, ends_at=end,
        buffer_minutes=visit.pair.team.travel_buffer_minutes, exclude_visit_ids=[visit.pk],
    ):
        tight_ids.setdefault(transfer.person.pk, []).append(transfer)

    options: list[StandInOption] = []
    for person in same_role:
        if person.pk not in free:
            continue
        if absent.role == Role.ARTIST:
            option = StandInOption(kind=KEEP_NURSE, artist=person, nurse=staying)
            nurse_known = staying.pk in familiar
            option.reasons.append(Reason(
                (_("Keeps %(nurse)s, a nurse the client knows") if nurse_known else _("Keeps %(nurse)s")) % {
                    "nurse": staying.display_name}, True))
            option.reasons.append(Reason(_("%(person)s comes instead of %(absent)s") % {
                "person": person.display_name, "absent": absent.staff.display_name}, True))
            tier = 0
        else:
            option = StandInOption(kind=KEEP_ARTIST, artist=staying, nurse=person)
            option.reasons.append(Reason(_("Keeps %(artist)s") % {"artist": staying.display_name}, True))
            if familiar.get(person.pk):
                option.reasons.append(Reason(_("%(nurse)s is the client's primary nurse") % {"nurse": person.display_name}, True))
            elif person.pk in familiar:
                option.reasons.append(Reason(_("%(nurse)s is a nurse the client knows") % {"nurse": person.display_name}, True))
            else:
                option.reasons.append(Reason(_("%(nurse)s is not yet known to the client") % {"nurse": person.display_name}, False))
            # A familiar nurse keeps continuity best; an unknown one comes after a free pair with a familiar nurse.
            tier = (1 if familiar.get(person.pk) else 2) if person.pk in familiar else 4
        option.rank = (tier, *_fit(option, visit, [person], tight_ids))
        options.append(option)

    for pair in pairs:
        if pair.artist_id not in free or pair.nurse_id not in free:
            continue
        option = StandInOption(kind=OTHER_PAIR, artist=pair.artist, nurse=pair.nurse)
        option.reasons.append(Reason(_("Neither of the planned pair comes"), False))
        if pair.nurse_id in familiar:
            option.reasons.append(Reason(_("%(nurse)s is a nurse the client knows") % {"nurse": pair.nurse.display_name}, True))
        else:
            option.reasons.append(Reason(_("No familiar nurse in this pair"), False))
        option.rank = (3 if pair.nurse_id in familiar else 5, *_fit(option, visit, [pair.artist, pair.nurse], tight_ids))
        options.append(option)

    options.sort(key=lambda option: option.rank)
    move = next_free_time(visit)
    if move is not None:
        options.append(move)
    return options


def next_free_time(visit: Visit, *, horizon_days: int = MOVE_HORIZON_DAYS) -> StandInOption | None:
    """Option (d): the planned pair at the same local time on the next day both and the client are free.

    Three queries for the whole horizon (the two people's and the client's visits).
    """
    pair = visit.pair
    members = [pair.artist, pair.nurse]
    start_local = timezone.localtime(visit.starts_at)
    duration = real_duration(visit.starts_at, visit.ends_at)
    window_end = visit.ends_at + dt.timedelta(days=horizon_days + 1)
    taken = list(
        VisitParticipant.objects.filter(staff_id__in=[m.pk for m in members]).busy_between(visit.ends_at, window_end)
        .exclude(visit_id=visit.pk).values_list("visit__starts_at", "visit__ends_at")
    ) + list(
        Visit.objects.active().filter(client_id=visit.client_id, starts_at__lt=window_end, ends_at__gt=visit.ends_at)
        .exclude(pk=visit.pk).values_list("starts_at", "ends_at")
    )
    for person in members:
        person._availability = list(person.availability.all())  # noqa: SLF001 - read once for the whole horizon
    now = timezone.now()
    for offset in range(1, horizon_days + 1):
        day = start_local.date() + dt.timedelta(days=offset)
        if not pair.is_active_on(day):
            continue
        starts_at = local_datetime(day, start_local.time())
        if timezone.localtime(starts_at).time() != start_local.time() or starts_at < now:
            continue  # a local time the clocks skip that day
        ends_at = end_after(starts_at, duration)
        if any(s < ends_at and e > starts_at for s, e in taken):
            continue
        if not all(_within_availability(person, starts_at, ends_at) for person in members):
            continue
        if unavailable([m.pk for m in members], starts_at, ends_at):
            continue
        option = StandInOption(kind=MOVE, artist=pair.artist, nurse=pair.nurse, starts_at=starts_at, ends_at=ends_at)
        option.reasons = [
            Reason(_("The planned pair comes: %(artist)s & %(nurse)s") % {
                "artist": pair.artist.display_name, "nurse": pair.nurse.display_name}, True),
            Reason(_("The client waits %(days)s days longer") % {"days": offset}, False),
        ]
        option.rank = (9, offset)
        return option
    return None


# --- Applying --------------------------------------------------------------------------------


def _notify_on_commit(event_ids: list[int]) -> None:
    from .tasks import send_visit_notifications

    enqueue_on_commit(
        send_visit_notifications, event_ids=event_ids,
        later="the periodic resend (visits.tasks.resend_unsent_visit_notifications) will send the e-mail",
    )


@transaction.atomic
def apply_stand_in(
    *, visit: Visit, absent_person: StaffProfile, replacement_person: StaffProfile, by,
    partner_replacement: StaffProfile | None = None, channel: str | None = None,
) -> Visit:
    """`replacement_person` takes `absent_person`'s place in this one visit (and, for another pair,
    `partner_replacement` takes the other member's).

    Only the participant rows change; the planned pair stays. The database's
    exclusion constraint decides whether the newcomer is free
    (SchedulingConflict). A history row per changed person (kind stand-in,
    old and new person) and, after commit, e-mail to the old and new members
    and the client's primary nurse. Refuses visits that are not planned or
    already over, a person not in the visit, a replacement of another role or
    team, and a participant who has already written a note.
    """
    access = policy(by).require_manager(visit.pair.team_id)
    visit = Visit.objects.select_for_update(of=("self",)).select_related("client", "pair__team").get(pk=visit.pk)
    _validate_visit(visit)
    participants = list(visit.participants.select_for_update().select_related("staff__user"))
    changes = [(_participant(participants, absent_person.pk), replacement_person)]
    if partner_replacement is not None:
        other = next(p for p in participants if p.pk != changes[0][0].pk)
        changes.append((other, partner_replacement))
    in_visit = {p.staff_id for p in participants}
    for participant, newcomer in changes:
        newcomer = StaffProfile.objects.select_related("user").get(pk=newcomer.pk)
        if newcomer.role != participant.role:
            raise ValidationError({"replacement": _("%(person)s is not a %(role)s.") % {
                "person": newcomer.display_name, "role": Role(participant.role).label.lower()}})
        if not newcomer.teams.filter(pk=visit.pair.team_id).exists() or not newcomer.user.is_active:
            raise ValidationError({"replacement": _("%(person)s does not work in this team.") % {"person": newcomer.display_name}})
        if newcomer.pk in in_visit:
            raise ValidationError({"replacement": _("%(person)s already takes part in this visit.") % {"person": newcomer.display_name}})
        if VisitNote.objects.filter(participant=participant).exists():
            raise ValidationError({"__all__": _("%(person)s has already written a note for this visit.") % {
                "person": participant.staff.display_name}})
        if unavailable([newcomer.pk], visit.starts_at, visit.ends_at):
            raise ValidationError({"replacement": _("%(person)s is absent then.") % {"person": newcomer.display_name}})
    events = []
    for participant, newcomer in changes:
        previous = participant.staff
        with translate_overlap_errors(
            viewer=by, client=None, staff=[newcomer], starts_at=visit.starts_at, ends_at=visit.ends_at,
            exclude_visit_ids=[visit.pk],
        ):
            participant.staff = newcomer
            participant.save(update_fields=["staff"])
        events.append(VisitEvent.objects.create(
            visit=visit, kind=VisitEvent.Kind.STAND_IN, starts_at=visit.starts_at, ends_at=visit.ends_at,
            status=visit.status, previous_staff=previous, staff=newcomer, by=by,
            reason=_("%(person)s cannot come") % {"person": previous.display_name},
        ))
    log_access(user=by, client_id=visit.client_id, object_type=ObjectType.VISIT, object_id=visit.pk,
               action=AccessLog.Action.UPDATE, access=access, channel=channel)
    _notify_on_commit([event.pk for event in events])
    return visit


def apply_option(*, visit: Visit, absent_person: StaffProfile, option: StandInOption, by, channel: str | None = None) -> Visit:
    """Apply one option of `stand_in_options`: replace people, or move the visit (services.reschedule_visit)."""
    if option.is_move:
        [moved] = services.reschedule_visit(
            visit=visit, starts_at=option.starts_at, ends_at=option.ends_at, by=by, channel=channel,
            reason=_("%(person)s cannot come at the planned time") % {"person": absent_person.display_name},
        )
        return moved
    participants = list(VisitParticipant.objects.filter(visit_id=visit.pk))
    absent_is_artist = _participant(participants, absent_person.pk).role == Role.ARTIST
    replacement, partner = (option.artist, option.nurse) if absent_is_artist else (option.nurse, option.artist)
    current = {p.staff_id for p in participants}
    return apply_stand_in(
        visit=visit, absent_person=absent_person, replacement_person=replacement, by=by, channel=channel,
        partner_replacement=partner if partner.pk not in current else None,
    )


def find_option(visit: Visit, absent_person: StaffProfile, key: str, viewer) -> StandInOption:
    """The option the page or the API chose, as it is ranked now; a ValidationError if it is no longer offered."""
    for option in stand_in_options(visit, absent_person, viewer):
        if option.key == key:
            return option
    raise ValidationError({"option": _("This stand-in is no longer free; choose another.")})


@dataclass
class StandInResult:
    visit: Visit
    outcome: str  # "applied", "no_option", "clash", "refused"
    option: StandInOption | None = None
    message: str = ""

    @property
    def outcome_label(self) -> str:
        return {
            "applied": _("Stand-in applied"), "no_option": _("No stand-in free"),
            "clash": _("Clash, nothing changed"), "refused": _("Not changed"),
        }[self.outcome]


def apply_best_to_all(*, visits: Iterable[Visit], absent_person: StaffProfile, by, channel: str | None = None) -> list[StandInResult]:
    """The recommended option for each visit, each all-or-nothing in its own transaction; a per-visit report."""
    report = []
    for visit in visits:
        best = None
        try:
            with transaction.atomic():
                options = stand_in_options(visit, absent_person, by)
                if not options:
                    report.append(StandInResult(visit=visit, outcome="no_option", message=_("No one is free, and no other time was found.")))
                    continue
                best = options[0]
                apply_option(visit=visit, absent_person=absent_person, option=best, by=by, channel=channel)
        except SchedulingConflict as conflict:
            report.append(StandInResult(visit=visit, outcome="clash", option=best, message=" ".join(conflict.messages)))
        except ValidationError as error:
            report.append(StandInResult(visit=visit, outcome="refused", message=" ".join(error.messages)))
        else:
            report.append(StandInResult(visit=visit, outcome="applied", option=best, message=best.title))
    return report


def visits_of(person: StaffProfile, start: dt.datetime, end: dt.datetime, viewer):
    """`person`'s planned, not yet ended visits overlapping [start, end) in teams `viewer` manages."""
    return (
        Visit.objects.with_people().filter(participants__staff=person, status=VisitStatus.PLANNED, ends_at__gt=timezone.now())
        .between(start, end).filter(team__in=policy(viewer).managed_teams()).order_by("starts_at")
    )

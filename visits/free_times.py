"""The next free times for a client: when the client and both people of a pair are free.

`next_free_times(client, pair=..., duration=..., date_from=..., date_to=..., weekdays=..., time_of_day=..., viewer=...)`
answers the next slots, one per pair, day and shared working window (the
earliest free start in it, on a 15-minute grid), where

* both people are within their weekly availability (pairwork.WeeklyAvailability)
  and inside the time of day asked for, the pair works that day;
* the client has no active visit and no absence (visits.ClientAbsence);
* neither person is busy (`person_busy_intervals`: their active visits, with
  the team's travel buffer around a visit at another address, visits.travel);
* the slot begins and ends on the same day with the same UTC offset: it never
  spans a clock change (pairwork.timing), and its start is one moment.

Ranking: the earliest days first; within a day the pairs in the order of the
pair suggestions (visits.suggestions: familiar nurse, art forms, language),
then the earlier time. Each slot carries the suggestion's reasons, so the
pages and the API explain them the same way.

Everything that makes a person busy is in ONE function,
`person_busy_intervals`; another source of busy time (e.g. staff absences)
is added there as one more query, and every caller follows.

A fixed number of queries whatever the number of pairs, days and visits
(about eight): the search is computed in Python over the fetched intervals.
It reads no data of other clients beyond comparing their street address with
this client's for the travel buffer.
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import policy
from clients.models import CareRelationship, Client
from pairwork.limits import MAX_DURATION, MIN_DURATION
from pairwork.models import WeeklyAvailability, WorkPair
from pairwork.timing import LocalTimeError, end_after, local_midnight, local_moment

from .absences import absent_intervals
from .models import ClientAbsence, Visit, VisitParticipant
from .suggestions import PairSuggestion, Reason

STEP_MINUTES = 15
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
MAX_RANGE_DAYS = 62

Span = tuple[dt.datetime, dt.datetime]


# --- What makes someone busy --------------------------------------------------------------------


def person_busy_intervals(
    person_ids: Iterable[int], start: dt.datetime, end: dt.datetime, *, address: str = "", buffer_minutes: int = 0,
) -> dict[int, list[Span]]:
    """Each person's busy time overlapping [start, end), sorted: THE one place that says who is busy when.

    Their active visits (one query), widened by `buffer_minutes` on both
    sides when the visit is at another street address than `address` (travel
    time), and their staff absences (visits.absences, one query). Add further
    sources here, one query each; every caller (the search, the pages, the API) follows.
    """
    person_ids = list(person_ids)
    buffer = dt.timedelta(minutes=max(buffer_minutes, 0))
    busy: dict[int, list[Span]] = defaultdict(list)
    if not person_ids:
        return busy
    here = address.strip().casefold()
    rows = (
        VisitParticipant.objects.filter(staff_id__in=person_ids).busy_between(start - buffer, end + buffer)
        .values_list("staff_id", "visit__starts_at", "visit__ends_at", "visit__client__street_address")
    )
    for staff_id, starts_at, ends_at, street in rows:
        travel = buffer if (street or "").strip().casefold() != here else dt.timedelta(0)
        busy[staff_id].append((starts_at - travel, ends_at + travel))
    for person_id, spans in absent_intervals(person_ids, start, end).items():
        busy[person_id].extend(spans)
    for spans in busy.values():
        spans.sort()
    return busy


def client_busy_intervals(client: Client, start: dt.datetime, end: dt.datetime) -> list[Span]:
    """The client's active visits and recorded absences overlapping [start, end), sorted (two queries)."""
    spans = list(Visit.objects.active().between(start, end).filter(client=client).values_list("starts_at", "ends_at"))
    first, last = timezone.localdate(start), timezone.localdate(end)
    for starts_on, ends_on in ClientAbsence.objects.filter(
        client=client, withdrawn_at__isnull=True, starts_on__lte=last, ends_on__gte=first
    ).values_list("starts_on", "ends_on"):
        spans.append((local_midnight(starts_on), local_midnight(ends_on + dt.timedelta(days=1))))
    return sorted(spans)


class _Calendar:
    """Busy spans merged into disjoint sorted intervals: is [start, end) free, and if not, until when?"""

    def __init__(self, spans: list[Span]):
        merged: list[list[dt.datetime]] = []
        for span_start, span_end in sorted(spans):
            if merged and span_start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], span_end)
            else:
                merged.append([span_start, span_end])
        self.starts = [span[0] for span in merged]
        self.ends = [span[1] for span in merged]

    def blocking_end(self, start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
        """The end of the busy interval that overlaps [start, end) last, or None if it is free."""
        index = bisect.bisect_left(self.starts, end) - 1
        if index >= 0 and self.ends[index] > start:
            return self.ends[index]
        return None


# --- The search ---------------------------------------------------------------------------------


@dataclass
class FreeSlot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    pair: WorkPair
    suggestion: PairSuggestion
    recommended: bool = False

    @property
    def reasons(self) -> list[Reason]:
        return self.suggestion.reasons

    @property
    def local_day(self) -> dt.date:
        return timezone.localdate(self.starts_at)

    @property
    def local_start(self) -> dt.time:
        return timezone.localtime(self.starts_at).time()


@dataclass
class FreeTimes:
    slots: list[FreeSlot] = field(default_factory=list)
    blocked: str = ""  # why nothing can be booked for this client at all


def _validate(*, client, pair, duration, date_from, date_to, weekdays, time_of_day, limit) -> None:
    errors: dict[str, str] = {}
    if duration < MIN_DURATION or duration > MAX_DURATION:
        errors["duration_minutes"] = _("A visit lasts from 15 minutes to 8 hours.")
    if date_to < date_from:
        errors["date_to"] = _("The last day is before the first day.")
    elif (date_to - date_from).days >= MAX_RANGE_DAYS:
        errors["date_to"] = _("Search at most %(days)d days at a time.") % {"days": MAX_RANGE_DAYS}
    elif date_to < timezone.localdate():
        errors["date_to"] = _("This range is in the past.")
    if any(day not in range(7) for day in weekdays or ()):
        errors["weekdays"] = _("Weekdays are 0 (Monday) to 6 (Sunday).")
    if time_of_day is not None and not time_of_day[0] < time_of_day[1]:
        errors["time_to"] = _("The end of the time of day must be after its start.")
    if pair is not None and pair.team_id != client.team_id:
        errors["pair"] = _("This pair works in another team than the client's.")
    if not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = _("Ask for 1 to %(max)d times.") % {"max": MAX_LIMIT}
    if errors:
        raise ValidationError(errors)


def _candidate_pairs(client: Client, pair: WorkPair | None, date_from: dt.date, date_to: dt.date) -> list[WorkPair]:
    """The client's team's pairs working on some day of the range, with people and availability (three queries)."""
    slots = WeeklyAvailability.objects.order_by("weekday", "starts_at")
    pairs = (
        WorkPair.objects.filter(team_id=client.team_id, active_from__lte=date_to)
        .filter(Q(active_until__isnull=True) | Q(active_until__gte=date_from))
        .with_people()
        .prefetch_related(Prefetch("artist__availability", queryset=slots), Prefetch("nurse__availability", queryset=slots))
    )
    if pair is not None:
        pairs = pairs.filter(pk=pair.pk)
    return list(pairs)


def _shared_windows(pair: WorkPair, weekday: int, time_of_day: tuple[dt.time, dt.time] | None) -> list[tuple[dt.time, dt.time]]:
    """Where both people's weekly availability on `weekday` overlaps (and the time of day asked for)."""
    artist = [(a.starts_at, a.ends_at) for a in pair.artist.availability.all() if a.weekday == weekday]
    nurse = [(n.starts_at, n.ends_at) for n in pair.nurse.availability.all() if n.weekday == weekday]
    windows = []
    for a_start, a_end in artist:
        for n_start, n_end in nurse:
            start, end = max(a_start, n_start), min(a_end, n_end)
            if time_of_day is not None:
                start, end = max(start, time_of_day[0]), min(end, time_of_day[1])
            if start < end:
                windows.append((start, end))
    return sorted(set(windows))


def _ceil_grid(wall: dt.time) -> dt.time | None:
    """`wall` rounded up to the 15-minute grid; None if that reaches midnight."""
    minutes = wall.hour * 60 + wall.minute + (1 if wall.second or wall.microsecond else 0)
    minutes = -(-minutes // STEP_MINUTES) * STEP_MINUTES
    return None if minutes >= 24 * 60 else dt.time(minutes // 60, minutes % 60)


def _wall_after(moment: dt.datetime, day: dt.date) -> dt.time | None:
    """The first grid time on `day` at or after `moment`; None if that is not on `day`."""
    local = timezone.localtime(moment)
    if local.date() < day:
        return dt.time(0)
    return _ceil_grid(local.time()) if local.date() == day else None


def _first_free(
    day: dt.date, window: tuple[dt.time, dt.time], duration: dt.timedelta, not_before: dt.datetime,
    calendars: list[_Calendar],
) -> tuple[dt.datetime, dt.datetime] | None:
    """The earliest start on the grid in `window` on `day` when every calendar is free for `duration`."""
    earliest = _wall_after(not_before, day)
    first = _ceil_grid(window[0])
    wall = None if earliest is None or first is None else max(first, earliest)
    # Each round moves past a busy interval or a clock-change step, so a day needs few.
    for _round in range(500):
        if wall is None or wall >= window[1]:
            return None
        try:
            starts_at = local_moment(day, wall)
        except LocalTimeError:  # skipped or repeated by a clock change: the next step
            wall = _ceil_grid((dt.datetime.combine(day, wall) + dt.timedelta(minutes=STEP_MINUTES)).time())
            continue
        ends_at = end_after(starts_at, duration)
        local_end = timezone.localtime(ends_at)
        if local_end.date() != day or local_end.time() > window[1]:
            return None  # a later start would end even later
        if local_end.utcoffset() != starts_at.utcoffset():
            wall = _wall_after(ends_at, day)  # never across a clock change: start after it
            continue
        blocking = [end for end in (c.blocking_end(starts_at, ends_at) for c in calendars) if end is not None]
        if not blocking:
            return starts_at, ends_at
        wall = _wall_after(max(blocking), day)
    return None


def _base_suggestion(pair: WorkPair, client: Client, familiar: dict[int, bool]) -> PairSuggestion:
    preferred = set(client.preferred_art_forms)
    return PairSuggestion(
        pair=pair,
        familiar=pair.nurse_id in familiar,
        primary=familiar.get(pair.nurse_id, False),
        shared_art_forms=sorted(preferred & (set(pair.artist.art_forms) | set(pair.nurse.art_forms))),
        speakers=[person for person in (pair.artist, pair.nurse) if client.language in person.languages],
        language=client.language,
    )


def next_free_times(
    client: Client,
    *,
    pair: WorkPair | None = None,
    duration: dt.timedelta,
    date_from: dt.date,
    date_to: dt.date,
    weekdays: Iterable[int] | None = None,
    time_of_day: tuple[dt.time, dt.time] | None = None,
    viewer,
    limit: int = DEFAULT_LIMIT,
) -> FreeTimes:
    """The next free slots for `client` (with `pair`, or any pair of the client's team), best first.

    `weekdays` (0 = Monday) and `time_of_day` (local from, until) narrow the
    search; None means any. Coordinators of the client's team and
    administrators only (PermissionDenied otherwise); bad input raises a
    ValidationError keyed by field. Every slot is one the scheduling service
    would accept at the time of the search.
    """
    policy(viewer).require_manager(client.team_id)
    weekdays = set(weekdays) if weekdays else None
    _validate(client=client, pair=pair, duration=duration, date_from=date_from, date_to=date_to,
              weekdays=weekdays, time_of_day=time_of_day, limit=limit)
    if client.archived_at is not None:
        return FreeTimes(blocked=_("This client is archived; visits can no longer be scheduled."))
    if not client.consent_given:
        return FreeTimes(blocked=_("The client's consent has not been recorded, so no visit can be scheduled yet."))
    now = timezone.now()
    date_from = max(date_from, timezone.localdate(now))
    start, end = local_midnight(date_from), local_midnight(date_to + dt.timedelta(days=1))
    buffer_minutes = Client.objects.filter(pk=client.pk).values_list("team__travel_buffer_minutes", flat=True).first() or 0

    pairs = _candidate_pairs(client, pair, date_from, date_to)
    familiar = dict(CareRelationship.objects.filter(client=client).values_list("nurse_id", "is_primary"))
    people = {person_id for each in pairs for person_id in (each.artist_id, each.nurse_id)}
    busy = person_busy_intervals(people, start, end, address=client.street_address, buffer_minutes=buffer_minutes)
    client_calendar = _Calendar(client_busy_intervals(client, start, end))
    calendars = {person_id: _Calendar(busy.get(person_id, [])) for person_id in people}
    ranked = sorted((_base_suggestion(each, client, familiar) for each in pairs), key=PairSuggestion.sort_key)

    slots: list[FreeSlot] = []
    day = date_from
    while day <= date_to and len(slots) < limit:
        if weekdays is None or day.weekday() in weekdays:
            for suggestion in ranked:
                each = suggestion.pair
                if not each.is_active_on(day):
                    continue
                for window in _shared_windows(each, day.weekday(), time_of_day):
                    found = _first_free(day, window, duration, now, [
                        client_calendar, calendars[each.artist_id], calendars[each.nurse_id],
                    ])
                    if found is not None:
                        slots.append(FreeSlot(starts_at=found[0], ends_at=found[1], pair=each, suggestion=suggestion))
        day += dt.timedelta(days=1)
    # Within a day: the better pair first, then the earlier time (days are already in order).
    order = {id(s): i for i, s in enumerate(ranked)}
    slots.sort(key=lambda slot: (slot.local_day, order[id(slot.suggestion)], slot.starts_at))
    slots = slots[:limit]
    if slots:
        slots[0].recommended = True
    return FreeTimes(slots=slots)

"""Seeding steps for visits: a clean plan written in bulk, with history and notes."""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from clients.models import CareRelationship
from pairwork.choices import ArtForm
from pairwork.models import Role, WeeklyAvailability
from visits.models import (
    OUTCOME_STATUSES,
    Visit,
    VisitEvent,
    VisitNote,
    VisitNoteVersion,
    VisitParticipant,
    VisitSeries,
    VisitStatus,
)

from visits.notes import note_snapshot

from .catalogue import (
    ACTIVITIES,
    CANCELLATION_REASONS,
    CANCELLED_ON_ARRIVAL_REASONS,
    CARE_PLAN_OBSERVATIONS,
    FREE_TEXTS,
    NEXT_VISIT_SUGGESTIONS,
)
from .visit_plan import PlannedSeries, PlannedVisit, VisitPlanner, WeeklyHours
from .world import DemoWorld

# What became of past visits: mostly they happened.
PAST_OUTCOMES = (
    (VisitStatus.COMPLETED, 80),
    (VisitStatus.CLIENT_DECLINED, 6),
    (VisitStatus.NO_SHOW, 4),
    (VisitStatus.CANCELLED_ON_ARRIVAL, 3),
    (VisitStatus.CANCELLED, 7),
)
FUTURE_CANCELLED = 0.04

def seed_visits(world: DemoWorld) -> None:
    """Twelve weeks back and four ahead, planned without a single overlap, then written in bulk.

    The plan is made for all demo clients at once, so this step runs only on a
    database that has no visits for them yet.
    """
    if Visit.objects.filter(client__in=world.clients).exists():
        return
    rng = world.rng()
    plan = VisitPlanner(rng=rng, today=world.today, anchor_pair=world.demo_pair, **_planning_facts(world)).make_plan()

    series = {id(planned): _series(world, planned) for planned in plan.series}
    VisitSeries.objects.bulk_create(series.values())
    world.count("visit series", len(series))

    visits = [_visit(world, rng, planned, series) for planned in plan.visits]
    Visit.objects.bulk_create(visits)
    world.count("visits", len(visits))

    # Person-level overlaps are refused here, by the participants' exclusion constraint.
    participants = [
        VisitParticipant(visit=visit, staff=staff, role=role)
        for visit in visits
        for staff, role in ((visit.pair.artist, Role.ARTIST), (visit.pair.nurse, Role.NURSE))
    ]
    VisitParticipant.objects.bulk_create(participants)
    world.count("visit participants", len(participants))

    events = [event for visit in visits for event in _history(world, rng, visit)]
    VisitEvent.objects.bulk_create(events)
    world.count("visit events", len(events))


def _planning_facts(world: DemoWorld) -> dict:
    familiar: dict[int, set[int]] = defaultdict(set)
    primary: dict[int, int] = {}
    for client_id, nurse_id, is_primary in CareRelationship.objects.filter(client__in=world.clients).values_list(
        "client_id", "nurse_id", "is_primary"
    ):
        familiar[client_id].add(nurse_id)
        if is_primary:
            primary[client_id] = nurse_id
    people = {pair.artist_id for pair in world.pairs} | {pair.nurse_id for pair in world.pairs}
    return {
        "clients": world.clients,
        "pairs": world.pairs,
        "familiar_nurses": familiar,
        "primary_nurse": primary,
        "hours": WeeklyHours(WeeklyAvailability.objects.filter(staff_id__in=people)),
    }


def _scheduled_at(world: DemoWorld, starts_at: dt.datetime, lead_days: int) -> dt.datetime:
    """When a visit was put in the calendar: ahead of it, and never later than yesterday."""
    return min(world.now - dt.timedelta(days=1), starts_at - dt.timedelta(days=lead_days))


def _series(world: DemoWorld, planned: PlannedSeries) -> VisitSeries:
    return VisitSeries(
        client=planned.client,
        pair=planned.pair,
        first_starts_at=planned.first_starts_at,
        duration_minutes=planned.duration_minutes,
        interval_weeks=1,
        until=planned.until,
        created_by=world.coordinator_of(planned.pair.team),
        created_at=_scheduled_at(world, planned.first_starts_at, 7),
    )


def _visit(world: DemoWorld, rng: random.Random, planned: PlannedVisit, series: dict[int, VisitSeries]) -> Visit:
    status, reason = _outcome(rng, planned.day, world.today)
    in_series = series[id(planned.series)] if planned.series else None
    visit = Visit(
        client=planned.client,
        pair=planned.pair,
        series=in_series,
        starts_at=planned.starts_at,
        ends_at=planned.ends_at,
        status=status,
        cancellation_reason=reason,
        created_by=world.coordinator_of(planned.pair.team),
        created_at=in_series.created_at if in_series else _scheduled_at(world, planned.starts_at, rng.randint(3, 21)),
    )
    if status in OUTCOME_STATUSES:
        recorder = planned.pair.nurse if rng.random() < 0.7 else planned.pair.artist
        visit.outcome_recorded_by = recorder.user
        visit.outcome_recorded_at = planned.ends_at + dt.timedelta(minutes=rng.randint(5, 120))
    return visit


def _outcome(rng: random.Random, day: dt.date, today: dt.date) -> tuple[str, str]:
    """Past visits have an outcome; today's wait for one; a few future ones are cancelled."""
    if day < today:
        status = rng.choices([s for s, _ in PAST_OUTCOMES], weights=[w for _, w in PAST_OUTCOMES])[0]
    elif day > today and rng.random() < FUTURE_CANCELLED:
        status = VisitStatus.CANCELLED
    else:
        status = VisitStatus.PLANNED
    if status == VisitStatus.CANCELLED:
        return status, rng.choice(CANCELLATION_REASONS)
    if status == VisitStatus.CANCELLED_ON_ARRIVAL:
        return status, rng.choice(CANCELLED_ON_ARRIVAL_REASONS)
    return status, ""


def _history(world: DemoWorld, rng: random.Random, visit: Visit) -> list[VisitEvent]:
    events = [
        VisitEvent(
            visit=visit,
            kind=VisitEvent.Kind.SCHEDULED,
            starts_at=visit.starts_at,
            ends_at=visit.ends_at,
            status=VisitStatus.PLANNED,
            by=visit.created_by,
            at=visit.created_at,
        )
    ]
    if visit.status == VisitStatus.CANCELLED:
        cancelled_at = min(world.now, visit.starts_at - dt.timedelta(hours=rng.randint(2, 48)))
        events.append(
            VisitEvent(
                visit=visit,
                kind=VisitEvent.Kind.CANCELLED,
                status=VisitStatus.CANCELLED,
                reason=visit.cancellation_reason,
                by=visit.created_by,
                at=max(cancelled_at, visit.created_at + dt.timedelta(minutes=5)),
            )
        )
    elif visit.status in OUTCOME_STATUSES:
        events.append(
            VisitEvent(
                visit=visit,
                kind=VisitEvent.Kind.OUTCOME,
                status=visit.status,
                reason=visit.cancellation_reason,
                by=visit.outcome_recorded_by,
                at=visit.outcome_recorded_at,
            )
        )
    return events


def seed_visit_notes(world: DemoWorld) -> None:
    """Both participants' notes, one version each, for every completed demo visit."""
    completed = VisitParticipant.objects.filter(visit__client__in=world.clients, visit__status=VisitStatus.COMPLETED)
    if VisitNote.objects.filter(participant__in=completed).exists():
        return
    rng = world.rng()
    participants = completed.select_related("visit__client", "visit__pair__artist", "staff__user").order_by(
        "visit__starts_at", "visit_id", "role"
    )
    notes: list[VisitNote] = []
    authors = []
    mood: dict[int, tuple[int, int, int]] = {}
    for participant in participants:
        visit = participant.visit
        # The two notes of a visit roughly agree on how it went.
        if visit.pk not in mood:
            before = rng.randint(2, 4)
            mood[visit.pk] = (rng.choice((3, 4, 4, 5, 5)), before, min(5, before + rng.choice((0, 1, 1, 2))))
        notes.append(_note(rng, participant, *mood[visit.pk]))
        authors.append(participant.staff.user)
    VisitNote.objects.bulk_create(notes)
    versions = [
        VisitNoteVersion(
            note=note,
            version=1,
            content=note_snapshot(note),
            saved_by=author,
            saved_at=note.created_at,
        )
        for note, author in zip(notes, authors)
    ]
    VisitNoteVersion.objects.bulk_create(versions)
    world.count("visit notes", len(notes))
    world.count("visit note versions", len(versions))


def _note(rng: random.Random, participant: VisitParticipant, engagement: int, before: int, after: int) -> VisitNote:
    visit = participant.visit
    art_form = _art_form_of(visit)
    artist_did, nurse_saw = ACTIVITIES[art_form]
    written_at = visit.ends_at + dt.timedelta(minutes=rng.randint(15, 180))
    is_nurse = participant.role == Role.NURSE
    return VisitNote(
        participant=participant,
        art_form=art_form,
        activities=f"{artist_did} {nurse_saw}" if is_nurse else artist_did,
        engagement=max(1, engagement - rng.choice((0, 0, 1))) if is_nurse else engagement,
        mood_before=before,
        mood_after=after,
        care_plan_observations=rng.choice(CARE_PLAN_OBSERVATIONS) if is_nurse else "",
        next_visit_suggestions=rng.choice(NEXT_VISIT_SUGGESTIONS),
        free_text=rng.choice(FREE_TEXTS),
        version=1,
        created_at=written_at,
        updated_at=written_at,
    )


def _art_form_of(visit: Visit) -> str:
    """The artist's art form the client likes, else the artist's first one."""
    offered = visit.pair.artist.art_forms or [ArtForm.MUSIC]
    liked = [form for form in offered if form in visit.client.preferred_art_forms]
    return (liked or offered)[0]

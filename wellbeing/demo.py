"""Synthetic survey answers for the demo data (called by `seed_demo`).

Works on whatever teams, staff, visits and clients exist; idempotent (a
second run adds nothing), deterministic for a given `rng` seed, and writes
through `submit_response` so that answers, scores and constraints are exactly
those of real use. The aggregates are rebuilt once at the end.
"""
from __future__ import annotations

import datetime as dt
import random

from django.db.models import Min
from django.utils import timezone

from clients.models import Client
from pairwork.models import Role, StaffProfile, WorkPair
from visits.models import Visit, VisitParticipant, VisitStatus

from . import aggregation, metrics
from .models import SurveyResponse, TimePoint
from .outcome_schedule import PAIRED_VISIT_STATUSES
from .selectors import add_months, current_instrument, month_of, month_start
from .services import submit_response

PULSE_SHARE = 0.7
MONTHLY_SHARE = 0.85
# Shares of clients whose baseline or follow-up the demo leaves for the nurse to record.
BASELINE_LEFT_OPEN = 0.15
FOLLOW_UP_LEFT_OPEN = 0.2
HELSINKI_AFTERNOON = dt.time(14, 0)


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def seed_survey_responses(*, rng: random.Random, monthly_months: int = 9) -> dict[str, int]:
    """Create demo answers and rebuild the aggregates; returns how many of each were created.

    * a post-visit pulse from about 70% of the participants of each completed past visit;
    * the monthly survey from about 85% of nurses and artists for each of the last
      `monthly_months` full months (nine by default, so that the before/with
      pair work comparison has months on both sides of the demo pairs' start);
    * a baseline at the first joint visit and a follow-up the instrument's
      interval later, with some left due or overdue (see `_seed_client_outcomes`).
    """
    now = timezone.now()
    staff = list(StaffProfile.objects.filter(role__in=(Role.NURSE, Role.ARTIST)).select_related("user").order_by("pk"))
    tendency = {profile.pk: rng.gauss(0, 0.4) for profile in staff}
    counts = {
        "post-visit pulses": _seed_pulses(rng, tendency, now),
        "monthly surveys": _seed_monthly(rng, staff, tendency, now, monthly_months),
    }
    counts["client baselines"], counts["client follow-ups"] = _seed_client_outcomes(rng, now)
    aggregation.rebuild_all()
    return counts


def _seed_pulses(rng: random.Random, tendency: dict[int, float], now: dt.datetime) -> int:
    instrument = current_instrument(metrics.PULSE)
    if instrument is None:
        return 0
    answered = set(
        SurveyResponse.objects.filter(instrument__code=metrics.PULSE, visit__isnull=False).values_list("respondent_id", "visit_id")
    )
    participants = (
        VisitParticipant.objects.filter(visit__status=VisitStatus.COMPLETED, visit__ends_at__lt=now)
        .select_related("visit__pair__team", "staff__user")
        .order_by("visit__starts_at", "pk")
    )
    created = 0
    for participant in participants:
        # Draw for everyone, answered or not, so a re-run makes the same choices.
        answers_now = rng.random() < PULSE_SHARE
        offset = tendency.get(participant.staff_id, 0.0)
        nurse_bonus = 0.3 if participant.role == Role.NURSE else 0.0
        answers = {
            "calm": _clamp(rng.gauss(4.1 + offset, 0.7), 1, 5),
            "time_to_meet": _clamp(rng.gauss(3.8 + offset + nurse_bonus, 0.8), 1, 5),
            "energised": _clamp(rng.gauss(3.7 + offset, 0.8), 1, 5),
        }
        delay = dt.timedelta(minutes=rng.randint(5, 120))
        if not answers_now or (participant.staff_id, participant.visit_id) in answered:
            continue
        visit = participant.visit
        submit_response(
            instrument=instrument,
            time_point=TimePoint.POST_VISIT,
            answers=answers,
            team=visit.pair.team,
            recorded_by=participant.staff.user,
            respondent=participant.staff,
            visit=visit,
            series=visit.series,
            period=month_of(visit.starts_at),
            submitted_at=min(visit.ends_at + delay, now),
            refresh_aggregates=False,
        )
        created += 1
    return created


def _seed_monthly(rng, staff: list[StaffProfile], tendency, now: dt.datetime, months: int) -> int:
    instrument = current_instrument(metrics.MONTHLY)
    if instrument is None:
        return 0
    this_month = month_start(timezone.localdate(now))
    periods = [add_months(this_month, -back) for back in range(months, 0, -1)]
    first_pair = {
        row["team_id"]: month_start(row["first"])
        for row in WorkPair.objects.values("team_id").annotate(first=Min("active_from"))
    }
    answered = set(
        SurveyResponse.objects.filter(instrument__code=metrics.MONTHLY).values_list("respondent_id", "period")
    )
    teams_of = {profile.pk: list(profile.teams.order_by("name")) for profile in staff}
    created = 0
    for period in periods:
        for profile in staff:
            answers_now = rng.random() < MONTHLY_SHARE
            teams = teams_of[profile.pk]
            team = teams[0] if teams else None
            with_pairs = team is not None and team.pk in first_pair and period >= first_pair[team.pk]
            offset = tendency.get(profile.pk, 0.0)
            draw = rng.random()
            sick_days = 0 if draw < (0.72 if with_pairs else 0.6) else rng.randint(1, 3) if draw < 0.92 else rng.randint(4, 10)
            answers = {
                "work_ability": _clamp(rng.gauss(7.0 + 2 * offset + (0.5 if with_pairs else 0.0), 1.1), 0, 10),
                "sick_leave_days": sick_days,
            }
            day = rng.randint(18, 28)
            if not answers_now or team is None or (profile.pk, period) in answered:
                continue
            submitted_at = timezone.make_aware(dt.datetime.combine(period.replace(day=day), HELSINKI_AFTERNOON))
            submit_response(
                instrument=instrument,
                time_point=TimePoint.MONTHLY,
                answers=answers,
                team=team,
                recorded_by=profile.user,
                respondent=profile,
                period=period,
                submitted_at=submitted_at,
                refresh_aggregates=False,
            )
            created += 1
    return created


def _client_answers(rng: random.Random, base: dict | None = None) -> dict[str, int | None]:
    if base is None:
        answers = {
            "life_satisfaction": _clamp(rng.gauss(5.5, 1.8), 0, 10),
            "worthwhile": _clamp(rng.gauss(5.3, 2.0), 0, 10),
            "happiness": _clamp(rng.gauss(5.6, 2.0), 0, 10),
            "anxiety": _clamp(rng.gauss(4.6, 2.2), 0, 10),
            "feels_lonely": _clamp(rng.gauss(3.3, 1.0), 1, 5),
            "someone_to_talk_to": _clamp(rng.gauss(2.9, 1.0), 1, 5),
            "left_outside": _clamp(rng.gauss(3.1, 1.0), 1, 5),
            "everyday_activities": _clamp(rng.gauss(3.0, 0.9), 1, 5),
        }
    else:
        def moved(code, mean, sd, low, high):
            start = base[code] if base[code] is not None else (low + high) / 2
            return _clamp(start + rng.gauss(mean, sd), low, high)

        answers = {
            "life_satisfaction": moved("life_satisfaction", 0.8, 1.2, 0, 10),
            "worthwhile": moved("worthwhile", 0.9, 1.3, 0, 10),
            "happiness": moved("happiness", 0.8, 1.4, 0, 10),
            "anxiety": moved("anxiety", -0.6, 1.3, 0, 10),
            "feels_lonely": moved("feels_lonely", -0.4, 0.8, 1, 5),
            "someone_to_talk_to": moved("someone_to_talk_to", 0.3, 0.8, 1, 5),
            "left_outside": moved("left_outside", -0.3, 0.8, 1, 5),
            "everyday_activities": moved("everyday_activities", 0.1, 0.6, 1, 5),
        }
    # Now and then a client does not want to answer one question.
    skipped = rng.choice(list(answers)) if rng.random() < 0.1 else None
    if skipped is not None:
        answers[skipped] = None
    return answers


def _seed_client_outcomes(rng: random.Random, now: dt.datetime) -> tuple[int, int]:
    """Baselines at the first joint visit and follow-ups at the instrument's interval, with some left open.

    So that the demo shows every state of the measurement schedule: most
    clients whose first visit has passed have their baseline, and most of
    those past the follow-up interval their follow-up; the rest are due or
    overdue, and clients whose first visit is still ahead have the baseline due.
    """
    instrument = current_instrument(metrics.CLIENT_OUTCOME)
    if instrument is None:
        return 0, 0
    follow_up_after = dt.timedelta(weeks=instrument.follow_up_weeks)
    recorded = set(
        SurveyResponse.objects.filter(instrument__code=metrics.CLIENT_OUTCOME).values_list("client_id", "time_point")
    )
    first_visits = {}
    for visit in (
        Visit.objects.filter(status__in=PAIRED_VISIT_STATUSES)
        .select_related("pair__nurse__user", "client__team")
        .order_by("client_id", "starts_at")
        .distinct("client_id")
    ):
        first_visits[visit.client_id] = visit
    baselines = follow_ups = 0
    for client_id in sorted(first_visits):
        visit = first_visits[client_id]
        # Draw for every client, recorded or not, so a re-run makes the same choices.
        baseline_answers = _client_answers(rng)
        follow_up_answers = _client_answers(rng, base=baseline_answers)
        baseline_left_open = rng.random() < BASELINE_LEFT_OPEN
        follow_up_left_open = rng.random() < FOLLOW_UP_LEFT_OPEN
        if visit.starts_at > now or baseline_left_open:
            continue
        client: Client = visit.client
        common = {
            "instrument": instrument, "team": client.team, "recorded_by": visit.pair.nurse.user, "client": client,
            "series": visit.series, "refresh_aggregates": False,
        }
        if (client_id, TimePoint.BASELINE) not in recorded:
            submit_response(time_point=TimePoint.BASELINE, answers=baseline_answers,
                            submitted_at=visit.starts_at - dt.timedelta(minutes=10), **common)
            baselines += 1
        if visit.starts_at > now - follow_up_after or follow_up_left_open:
            continue
        if (client_id, TimePoint.FOLLOW_UP) not in recorded:
            submit_response(time_point=TimePoint.FOLLOW_UP, answers=follow_up_answers,
                            submitted_at=visit.starts_at + follow_up_after, **common)
            follow_ups += 1
    return baselines, follow_ups

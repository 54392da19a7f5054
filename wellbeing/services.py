"""Write use cases of the wellbeing app: one keyword-only, atomic function each.

Answers are stored in PostgreSQL in the request that submits them. The
aggregate refresh is only *enqueued* after the commit and may fail (Redis
down) without touching the saved answer: the nightly reconcile catches up.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.choices import Action, ObjectType
from access.log import log_access
from access.policy import policy
from clients.models import Client
from pairwork.models import StaffProfile, Team
from visits.models import Visit, VisitSeries, VisitStatus

from . import metrics, tasks
from .models import Answer, Audience, Instrument, Item, ResponseScore, Scale, SickLeaveCost, SurveyResponse, TimePoint
from .scoring import score_response
from .selectors import current_instrument, month_of, month_start

# Unique constraints of SurveyResponse and what they mean to the person answering.
DUPLICATE_MESSAGES = {
    "response_one_pulse_per_visit": lambda: _("You have already answered the pulse for this visit."),
    "response_one_monthly_per_month": lambda: _("You have already answered this month's survey."),
    "response_one_client_baseline": lambda: _("The client's baseline has already been recorded."),
}


def _validate_answers(instrument: Instrument, items, answers: Mapping[str, int | None]) -> dict[str, int | None]:
    """Every item's answer, or a ValidationError naming each item that is wrong."""
    known = {item.code for item in items}
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(answers) - known)
    if unknown:
        errors["__all__"] = [_("These questions are not part of the questionnaire: %(codes)s.") % {"codes": ", ".join(unknown)}]
    values: dict[str, int | None] = {}
    for item in items:
        value = answers.get(item.code)
        if value is None or value == "":
            if item.required:
                errors[item.code] = [_("Answer this question.")]
            values[item.code] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not item.scale_min <= value <= item.scale_max:
            errors[item.code] = [
                _("Choose a whole number from %(min)s to %(max)s.") % {"min": item.scale_min, "max": item.scale_max}
            ]
            continue
        values[item.code] = value
    if errors:
        raise ValidationError(errors)
    return values


def _raise_duplicate(error: IntegrityError) -> None:
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    message = DUPLICATE_MESSAGES.get(constraint)
    if message is None:
        raise error
    raise ValidationError(message()) from error


@transaction.atomic
def submit_response(
    *,
    instrument: Instrument,
    time_point: str,
    answers: Mapping[str, int | None],
    team: Team,
    recorded_by,
    respondent: StaffProfile | None = None,
    client: Client | None = None,
    visit: Visit | None = None,
    series: VisitSeries | None = None,
    period: dt.date | None = None,
    submitted_at: dt.datetime | None = None,
    refresh_aggregates: bool = True,
) -> SurveyResponse:
    """Store one filled-in questionnaire with its answers and scale scores.

    Refuses, with a message per item, missing required answers and values
    outside an item's range; refuses a second answer where only one is
    allowed. After the commit, asks for the affected aggregate cells to be
    recomputed (unless `refresh_aggregates` is False, for bulk seeding that
    rebuilds once at the end).
    """
    if not instrument.is_active:
        raise ValidationError(_("This questionnaire is no longer in use."))
    if time_point not in instrument.time_points:
        raise ValidationError(_("This questionnaire is not answered at this time point."))
    if (instrument.audience == Audience.STAFF) != (respondent is not None and client is None):
        raise ValidationError(_("A staff questionnaire is answered by a staff member, a client questionnaire for a client."))
    items = list(instrument.items.all())
    values = _validate_answers(instrument, items, answers)
    submitted_at = submitted_at or timezone.now()
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                instrument=instrument,
                time_point=time_point,
                respondent=respondent,
                client=client,
                recorded_by=recorded_by,
                team=team,
                visit=visit,
                series=series,
                period=month_start(period) if period else month_of(submitted_at),
                submitted_at=submitted_at,
            )
    except IntegrityError as error:
        _raise_duplicate(error)
    Answer.objects.bulk_create(Answer(response=response, item=item, value=values[item.code]) for item in items)
    scores = score_response(instrument.scales.all(), items, values)
    ResponseScore.objects.bulk_create(
        ResponseScore(response=response, scale=scale, value=score.value, answered=score.answered)
        for scale, score in scores.items()
    )
    if refresh_aggregates:
        transaction.on_commit(
            partial(
                tasks.enqueue_cell_refresh, team_id=team.pk, period=response.period, instrument_code=instrument.code
            )
        )
    return response


def _instrument_or_error(code: str) -> Instrument:
    instrument = current_instrument(code)
    if instrument is None:
        raise ValidationError(_("This questionnaire is not in use at the moment."))
    return instrument


@transaction.atomic
def submit_post_visit_pulse(*, visit: Visit, staff: StaffProfile, answers: Mapping[str, int | None], by) -> SurveyResponse:
    """A visit participant's pulse about that visit; one per person and visit."""
    if staff is None or not policy(staff.user).takes_part(visit):
        raise PermissionDenied
    if visit.status == VisitStatus.CANCELLED:
        raise ValidationError(_("The visit was cancelled, so there is no pulse to answer."))
    if visit.starts_at > timezone.now():
        raise ValidationError(_("The pulse opens when the visit has started."))
    return submit_response(
        instrument=_instrument_or_error(metrics.PULSE),
        time_point=TimePoint.POST_VISIT,
        answers=answers,
        team=visit.pair.team,
        recorded_by=by,
        respondent=staff,
        visit=visit,
        series=visit.series,
        period=month_of(visit.starts_at),
    )


@transaction.atomic
def submit_monthly_survey(
    *, staff: StaffProfile, team: Team, answers: Mapping[str, int | None], by, today: dt.date | None = None
) -> SurveyResponse:
    """This month's staff wellbeing survey, for one of the person's teams; once a month."""
    if not staff.teams.filter(pk=team.pk).exists():
        raise ValidationError({"team": [_("Choose one of your own teams.")]})
    return submit_response(
        instrument=_instrument_or_error(metrics.MONTHLY),
        time_point=TimePoint.MONTHLY,
        answers=answers,
        team=team,
        recorded_by=by,
        respondent=staff,
        period=month_start(today or timezone.localdate()),
    )


@transaction.atomic
def record_client_outcome(
    *, client: Client, time_point: str, answers: Mapping[str, int | None], by, series: VisitSeries | None = None,
    channel: str | None = None,
) -> SurveyResponse:
    """A client's outcome measures at baseline or follow-up, recorded by a nurse who visits the client.

    The write is logged in the client's access log. The baseline comes first
    and only once; follow-ups may be repeated (the latest counts).
    """
    access = policy(by).outcome_record_access(client)
    if not access:
        raise PermissionDenied
    if time_point not in (TimePoint.BASELINE, TimePoint.FOLLOW_UP):
        raise ValidationError({"time_point": [_("Choose baseline or follow-up.")]})
    if series is not None and series.client_id != client.pk:
        raise ValidationError({"series": [_("Choose one of this client's visit series.")]})
    instrument = _instrument_or_error(metrics.CLIENT_OUTCOME)
    has_baseline = SurveyResponse.objects.filter(
        client=client, instrument__code=metrics.CLIENT_OUTCOME, time_point=TimePoint.BASELINE
    ).exists()
    if time_point == TimePoint.FOLLOW_UP and not has_baseline:
        raise ValidationError({"time_point": [_("Record the baseline first; a follow-up is compared with it.")]})
    if time_point == TimePoint.BASELINE and has_baseline:
        raise ValidationError({"time_point": [DUPLICATE_MESSAGES["response_one_client_baseline"]()]})
    response = submit_response(
        instrument=instrument,
        time_point=time_point,
        answers=answers,
        team=client.team,
        recorded_by=by,
        client=client,
        series=series,
    )
    # The stored analyses follow client outcomes in a job of their own (not in the cell refresh).
    transaction.on_commit(tasks.enqueue_analyses)
    log_access(
        user=by,
        client_id=client.pk,
        object_type=ObjectType.SURVEY_RESPONSE,
        object_id=response.pk,
        action=Action.CREATE,
        access=access,
        channel=channel,
    )
    return response


@transaction.atomic
def set_sick_leave_cost(*, cost_per_day: Decimal, by) -> SickLeaveCost:
    """Record a new assumed cost of one sick-leave day (kept as history; the latest counts)."""
    if cost_per_day <= 0:
        raise ValidationError({"cost_per_day": [_("Enter a cost greater than zero.")]})
    return SickLeaveCost.objects.create(cost_per_day=cost_per_day, set_by=by)



# --- Instrument versions ----------------------------------------------------------------------------
#
# A version with answers is frozen (the triggers of migration 0003 refuse any
# change to its questions); a change is made in a new version, and only the
# newest version of a code is in use.


def _next_version(code: str) -> int:
    # Locks the code's rows so that two concurrent new versions cannot take the same number.
    versions = list(Instrument.objects.select_for_update().filter(code=code).values_list("version", flat=True))
    return max(versions, default=0) + 1


def _take_others_out_of_use(instrument: Instrument) -> None:
    Instrument.objects.filter(code=instrument.code).exclude(pk=instrument.pk).update(is_active=False)


@transaction.atomic
def create_instrument_version(*, instrument: Instrument) -> Instrument:
    """A new, unanswered version with the same scales and items, in use; the older versions are taken out of use."""
    scales = list(instrument.scales.all())
    items = list(instrument.items.all())
    copy = Instrument.objects.get(pk=instrument.pk)
    copy.pk = None
    copy.version = _next_version(instrument.code)
    copy.is_active = True
    copy.created_at = timezone.now()
    copy.save()
    new_scales = {}
    for scale in scales:
        old_pk = scale.pk
        scale.pk, scale.instrument = None, copy
        scale.save()
        new_scales[old_pk] = scale
    for item in items:
        item.pk, item.instrument = None, copy
        item.scale = new_scales.get(item.scale_id)
        item.save()
    _take_others_out_of_use(copy)
    return copy


@transaction.atomic
def import_instrument(*, definition: dict) -> Instrument:
    """Create an instrument version from a definition read by `instrument_files.parse_instrument_file`.

    A code that exists gets its next version, in use, and the older versions
    are taken out of use (their answers and questions stay as they were); a
    new code starts at version 1.
    """
    fields = definition["instrument"]
    instrument = Instrument.objects.create(**fields, version=_next_version(fields["code"]), is_active=True)
    scales = {
        values["code"]: Scale.objects.create(instrument=instrument, position=position, **values)
        for position, values in enumerate(definition["scales"])
    }
    Item.objects.bulk_create(
        Item(instrument=instrument, position=position, **{**values, "scale": scales.get(values["scale"])})
        for position, values in enumerate(definition["items"])
    )
    _take_others_out_of_use(instrument)
    return instrument

"""Time in real time across both clock changes, through the web form, the API and a series.

The service's wall clock is Europe/Helsinki: summer time starts on the last
Sunday of March (03:00 → 04:00, so 03:30 does not exist) and ends on the last
Sunday of October (04:00 → 03:00, so 03:30 happens twice). A duration is real
time; a weekly 10:00 stays 10:00 local; a local time that is not one moment
is an error on its field, or in a series a reported skip with the reason.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import api_as, fresh_throttle_counts  # noqa: F401 (fixtures)
from tests.conftest import login
from tests.scheduling import next_fall_back, next_spring_forward
from visits import services
from visits.models import SkippedOccurrence, Visit
from pairwork.timing import AmbiguousLocalTime, NonexistentLocalTime, local_moment, local_time_problem

VISITS = "/api/v1/visits/"
UTC = dt.timezone.utc
CHANGES = pytest.mark.parametrize("change_day", [next_spring_forward, next_fall_back], ids=["spring", "autumn"])


def real_minutes(visit: Visit) -> int:
    visit.refresh_from_db()
    return int((visit.ends_at.astimezone(UTC) - visit.starts_at.astimezone(UTC)).total_seconds() // 60)


def offset(hours: int) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


@pytest.fixture
def coordinator_client(client, coordinator):
    login(client, coordinator)
    return client


# --- The helper ---------------------------------------------------------------------------


def test_the_helper_tells_a_skipped_and_a_repeated_local_time_from_a_normal_one():
    spring, autumn = next_spring_forward(), next_fall_back()
    assert local_time_problem(spring, dt.time(3, 30)) is NonexistentLocalTime
    assert local_time_problem(autumn, dt.time(3, 30)) is AmbiguousLocalTime
    assert local_time_problem(spring, dt.time(2, 59)) is None and local_time_problem(spring, dt.time(4)) is None
    assert local_time_problem(autumn, dt.time(2, 59)) is None and local_time_problem(autumn, dt.time(4)) is None
    with pytest.raises(NonexistentLocalTime):
        local_moment(spring, dt.time(3, 30))
    with pytest.raises(AmbiguousLocalTime):
        local_moment(autumn, dt.time(3, 30))


# --- Web form -----------------------------------------------------------------------------


def _book_on_page(page_client, client_record, pair, day, time, minutes, **extra):
    return page_client.post(reverse("visits:schedule"), {
        "client": client_record.pk, "day": day.isoformat(), "start_time": time, "duration_minutes": minutes,
        "pair": pair.pk, **extra,
    })


@CHANGES
def test_the_web_form_books_120_real_minutes_across_the_change(coordinator_client, client_record, pair, change_day):
    day = change_day()

    response = _book_on_page(coordinator_client, client_record, pair, day, "02:30", 120)

    assert response.status_code == 302
    visit = Visit.objects.get(client=client_record)
    assert real_minutes(visit) == 120
    start = timezone.localtime(visit.starts_at)
    assert (start.date(), start.time()) == (day, dt.time(2, 30))
    # Autumn: 02:30+03:00 + 2 h = 03:30+02:00 (the second 03:30); spring: 02:30+02:00 + 2 h = 05:30+03:00.
    expected_end = dt.time(3, 30) if day.month == 10 else dt.time(5, 30)
    assert timezone.localtime(visit.ends_at).time() == expected_end


@pytest.mark.parametrize(("change_day", "message"), [
    (next_spring_forward, "does not exist on that day"), (next_fall_back, "happens twice on that day"),
], ids=["spring-gap", "autumn-fold"])
def test_the_web_form_refuses_a_gap_or_fold_time_on_the_time_field(coordinator_client, client_record, pair, change_day, message):
    response = _book_on_page(coordinator_client, client_record, pair, change_day(), "03:30", 60)

    assert response.status_code == 400
    assert message in response.context["form"].errors["start_time"][0]
    assert not Visit.objects.exists()


@CHANGES
def test_moving_a_visit_on_the_page_onto_the_change_keeps_real_minutes(
    coordinator_client, client_record, pair, coordinator, change_day
):
    day = change_day()
    first = local_moment(day - dt.timedelta(days=2), dt.time(10))
    visit = services.schedule_visit(
        client=client_record, pair=pair, starts_at=first, ends_at=first + dt.timedelta(hours=1), by=coordinator.user
    )

    response = coordinator_client.post(reverse("visits:reschedule", args=[visit.pk]), {
        "day": day.isoformat(), "start_time": "02:30", "duration_minutes": 90, "reason": "Toive",
    })

    assert response.status_code == 302
    assert real_minutes(visit) == 90


def test_the_web_series_keeps_real_minutes_and_the_local_time_across_the_autumn_change(
    coordinator_client, client_record, pair
):
    sunday = next_fall_back()
    first = sunday - dt.timedelta(weeks=1)

    response = _book_on_page(coordinator_client, client_record, pair, first, "02:30", 120,
                             repeat="on", interval_weeks=1, ends="count", count=3)

    assert response.status_code == 302
    visits = list(Visit.objects.filter(client=client_record).order_by("starts_at"))
    assert [timezone.localdate(v.starts_at) for v in visits] == [first + dt.timedelta(weeks=w) for w in range(3)]
    assert [timezone.localtime(v.starts_at).time() for v in visits] == [dt.time(2, 30)] * 3
    assert [real_minutes(v) for v in visits] == [120, 120, 120]


# --- API ----------------------------------------------------------------------------------


@pytest.fixture
def body(client_record, pair):
    def make(starts_at: str, ends_at: str) -> dict:
        return {"client": client_record.pk, "pair": pair.pk, "starts_at": starts_at, "ends_at": ends_at}
    return make


def test_the_api_measures_the_8_hour_limit_in_real_time(api_as, coordinator, body):
    day = next_fall_back()
    # 00:30+03:00 → 08:30+02:00 is eight hours on the wall clock but nine real hours.
    response = api_as(coordinator).post(VISITS, body(f"{day}T00:30:00+03:00", f"{day}T08:30:00+02:00"), format="json")

    assert response.status_code == 400
    assert "ends_at" in response.json()
    assert not Visit.objects.exists()


@pytest.mark.parametrize(("change_day", "start", "end"), [
    (next_spring_forward, "02:50:00+02:00", "04:05:00+03:00"),
    (next_fall_back, "03:50:00+03:00", "03:05:00+02:00"),
], ids=["spring", "autumn"])
def test_the_api_accepts_a_real_15_minute_visit_across_the_change(api_as, coordinator, body, change_day, start, end):
    day = change_day()

    response = api_as(coordinator).post(VISITS, body(f"{day}T{start}", f"{day}T{end}"), format="json")

    assert response.status_code == 201, response.json()
    assert real_minutes(Visit.objects.get()) == 15
    assert response.json()["duration_minutes"] == 15


def test_the_api_refuses_an_end_before_the_start_in_real_time_on_the_field(api_as, coordinator, body, pair):
    day = next_fall_back()
    # 03:30+02:00 is 01:30 UTC; 03:50+03:00 is 00:50 UTC: twenty minutes later on the wall, 40 minutes earlier in fact.
    response = api_as(coordinator).post(VISITS, body(f"{day}T03:30:00+02:00", f"{day}T03:50:00+03:00"), format="json")

    assert response.status_code == 400
    assert response.json()["ends_at"] == ["The end must be after the start."]
    assert not Visit.objects.exists()


@pytest.mark.parametrize(("change_day", "message"), [
    (next_spring_forward, "does not exist on that day"), (next_fall_back, "happens twice on that day"),
], ids=["spring-gap", "autumn-fold"])
def test_the_api_refuses_a_naive_gap_or_fold_time_on_the_field(api_as, coordinator, body, change_day, message):
    day = change_day()

    response = api_as(coordinator).post(VISITS, body(f"{day}T03:30:00", f"{day}T05:00:00"), format="json")

    assert response.status_code == 400
    assert message in response.json()["starts_at"][0]
    assert not Visit.objects.exists()


def test_an_api_move_across_the_change_keeps_real_minutes(api_as, coordinator, client_record, pair):
    day = next_fall_back()
    first = local_moment(day - dt.timedelta(days=2), dt.time(10))
    visit = services.schedule_visit(
        client=client_record, pair=pair, starts_at=first, ends_at=first + dt.timedelta(hours=1), by=coordinator.user
    )

    response = api_as(coordinator).post(f"{VISITS}{visit.pk}/reschedule/", {
        "starts_at": f"{day}T02:30:00", "ends_at": f"{day}T03:30:00+02:00", "reason": "Toive",
    }, format="json")

    assert response.status_code == 200, response.json()
    assert real_minutes(visit) == 120


@pytest.mark.parametrize(("change_day", "reason"), [
    (next_spring_forward, SkippedOccurrence.Reason.NONEXISTENT_TIME),
    (next_fall_back, SkippedOccurrence.Reason.AMBIGUOUS_TIME),
], ids=["spring-gap", "autumn-fold"])
def test_an_api_series_reports_the_occurrence_at_a_gap_or_fold_time_as_skipped(
    api_as, coordinator, client_record, pair, change_day, reason
):
    sunday = change_day()
    first = sunday - dt.timedelta(weeks=1)

    response = api_as(coordinator).post(f"{VISITS}series/", {
        "client": client_record.pk, "pair": pair.pk, "first_starts_at": f"{first}T03:30:00",
        "duration_minutes": 60, "count": 3,
    }, format="json")

    assert response.status_code == 201, response.json()
    report = response.json()
    assert len(report["created"]) == 2 and [s["reason"] for s in report["skipped"]] == [reason]
    visits = list(Visit.objects.filter(series=report["series"]).order_by("starts_at"))
    assert [timezone.localdate(v.starts_at) for v in visits] == [first, sunday + dt.timedelta(weeks=1)]
    assert [timezone.localtime(v.starts_at).time() for v in visits] == [dt.time(3, 30)] * 2
    assert [real_minutes(v) for v in visits] == [60, 60]
    skipped = SkippedOccurrence.objects.get(series=report["series"])
    assert (skipped.reason, timezone.localdate(skipped.starts_at)) == (reason, sunday)


@CHANGES
def test_an_api_series_lasts_its_real_minutes_across_the_change(api_as, coordinator, client_record, pair, change_day):
    first = change_day() - dt.timedelta(weeks=1)

    response = api_as(coordinator).post(f"{VISITS}series/", {
        "client": client_record.pk, "pair": pair.pk, "first_starts_at": f"{first}T02:30:00",
        "duration_minutes": 120, "count": 3,
    }, format="json")

    assert response.status_code == 201, response.json()
    visits = list(Visit.objects.filter(client=client_record).order_by("starts_at"))
    assert [real_minutes(v) for v in visits] == [120, 120, 120]
    assert [timezone.localtime(v.starts_at).time() for v in visits] == [dt.time(2, 30)] * 3


@pytest.mark.parametrize(("field", "value"), [
    ("duration_minutes", 481), ("duration_minutes", 14), ("interval_weeks", 13), ("count", 105),
])
def test_the_api_series_limits_are_the_services(api_as, coordinator, client_record, pair, field, value):
    first = next_fall_back() + dt.timedelta(days=1)
    data = {"client": client_record.pk, "pair": pair.pk, "first_starts_at": f"{first}T10:00:00",
            "duration_minutes": 60, "count": 3, field: value}

    response = api_as(coordinator).post(f"{VISITS}series/", data, format="json")

    assert response.status_code == 400 and field in response.json()
    assert not Visit.objects.exists()

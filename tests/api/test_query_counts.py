"""Every list endpoint runs a fixed number of SQL queries, whatever the page size.

Each list is read with 5 and with 50 rows on the page under the same pinned
ceiling; an N+1 would need 45 more queries for the larger page and fail.
The ceiling counts the session, the user, the count, the page, prefetches
and, where client data is shown, the single INSERT into the access log.
"""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from access.models import AccessLog
from tests import factories as f
from tests.factories import make_visit
from wellbeing.models import Instrument, Item, Scale


def _teams(n, ctx):
    f.TeamFactory.create_batch(n)
    return "/api/v1/teams/"


def _staff(n, ctx):
    f.NurseFactory.create_batch(n, team=ctx["team"], always_available=False)
    return "/api/v1/staff/"


def _pairs(n, ctx):
    for _ in range(n):
        f.WorkPairFactory(team=ctx["team"])
    return "/api/v1/pairs/"


def _clients(n, ctx):
    f.ClientFactory.create_batch(n, team=ctx["team"])
    return "/api/v1/clients/"


def _service_circle(n, ctx):
    record = f.ClientFactory(team=ctx["team"])
    f.ServiceCircleEntryFactory.create_batch(n, client=record)
    return f"/api/v1/clients/{record.pk}/service-circle/"


def _access_log(n, ctx):
    record = f.ClientFactory(team=ctx["team"])
    AccessLog.objects.bulk_create(
        AccessLog(username="hanna", client=record, object_type="client", action="view", grounds="visit participant", allowed=True)
        for _ in range(n)
    )
    return f"/api/v1/clients/{record.pk}/access-log/"


def _visits(n, ctx):
    pair = f.WorkPairFactory(team=ctx["team"])
    record = f.ClientFactory(team=ctx["team"])
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    for i in range(n):
        make_visit(pair=pair, client=record, starts_at=start + dt.timedelta(hours=2 * i))
    return "/api/v1/visits/"


def _absences(n, ctx):
    from visits.models import StaffAbsence

    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    pair = f.WorkPairFactory(team=ctx["team"])
    for i in range(n):
        make_visit(pair=pair, starts_at=start + dt.timedelta(days=i))
    StaffAbsence.objects.bulk_create(
        StaffAbsence(person=pair.nurse, kind="holiday", starts_at=start + dt.timedelta(days=i),
                     ends_at=start + dt.timedelta(days=i, hours=2))
        for i in range(n)
    )
    return "/api/v1/absences/"


_instrument_numbers = itertools.count()


def _instruments(n, ctx):
    for i in itertools.islice(_instrument_numbers, n):
        instrument = Instrument.objects.create(code=f"instrument-{i}", name_fi=f"Mittari {i}", audience="staff")
        scale = Scale.objects.create(instrument=instrument, code="main", name_fi="Pää")
        for position in range(3):
            Item.objects.create(instrument=instrument, scale=scale, code=f"q{position}", position=position, text_fi="?")
    return "/api/v1/instruments/"


def _survey_responses(n, ctx):
    from django.apps import apps as django_apps

    from tests.wellbeing.conftest import SHIPPING_MIGRATION
    from wellbeing import metrics
    from wellbeing.selectors import current_instrument
    from wellbeing.services import submit_response

    if current_instrument(metrics.CLIENT_OUTCOME) is None:  # flushed by a transactional test
        SHIPPING_MIGRATION.ship_instruments(django_apps, None)
    instrument = current_instrument(metrics.CLIENT_OUTCOME)
    for record in f.ClientFactory.create_batch(n, team=ctx["team"]):
        submit_response(
            instrument=instrument, time_point="baseline", team=ctx["team"], recorded_by=None, client=record,
            answers={"life_satisfaction": 5, "worthwhile": 6, "happiness": 5, "anxiety": 6}, refresh_aggregates=False,
        )
    return "/api/v1/survey-responses/"


# endpoint: (data builder, query ceiling)
LISTS = {
    "teams": (_teams, 5),
    "staff": (_staff, 6),
    "pairs": (_pairs, 5),
    "clients": (_clients, 6),
    "service-circle": (_service_circle, 8),
    "access-log": (_access_log, 8),
    "visits": (_visits, 7),
    "absences": (_absences, 6),
    "instruments": (_instruments, 7),
    "survey-responses": (_survey_responses, 8),
}


@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.parametrize("endpoint", LISTS)
def test_list_query_count_does_not_grow_with_the_page(endpoint, rows, api_as, coordinator, team, django_assert_max_num_queries):
    build, ceiling = LISTS[endpoint]
    url = build(rows, {"team": team})
    client = api_as(coordinator)
    with django_assert_max_num_queries(ceiling):
        response = client.get(url, {"page_size": 50})
    assert response.status_code == 200
    assert len(response.json()["results"]) >= rows


@pytest.mark.parametrize("endpoint", LISTS)
def test_list_query_count_is_the_same_for_5_and_50_rows(endpoint, api_as, coordinator, team):
    build, _ = LISTS[endpoint]
    client = api_as(coordinator)
    counts = []
    for rows in (5, 50):
        url = build(rows, {"team": team})
        client.get(url, {"page_size": 50})  # warm the session and caches alike for both sizes
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"page_size": 50}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{endpoint}: {counts[0]} queries for 5 rows, {counts[1]} for 50"

"""Every URL pattern of every app, as each role, with mutated query parameters: never a 5xx.

The patterns are read from the URLconf (nothing listed by hand, so a new page
is walked as soon as it exists); path parameters are filled with real ids of
a small world, and each URL is asked with years 9999 and 0001, negative and
huge numbers and garbage in every query parameter any page or endpoint reads.
Every API route also answers OPTIONS.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client as PageClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests import factories as f
from tests.factories import make_visit
from visits import services
from visits.notes import log_visit_note

PARAMETERS = [
    "week", "day", "date_from", "date_to", "start", "end", "since", "until", "page", "page_size", "team", "client",
    "pair", "status", "ordering", "q", "start_time", "duration_minutes", "instrument", "time_point", "period", "slug",
    "archived", "allowed", "action", "channel", "format", "next", "month", "area", "role", "language",
    "person", "staff", "option",
]
MUTATIONS = {
    "far-future-and-huge": {name: "9999-12-31" for name in PARAMETERS} | {
        "start": "9999-12", "end": "9999-12", "month": "9999-12", "page": "9" * 40, "page_size": "1e400", "team": "9" * 40,
        "client": "9" * 40, "pair": "9" * 40, "duration_minutes": "9" * 40,
    },
    "year-one-and-negative": {name: "0001-01-01" for name in PARAMETERS} | {
        "start": "0001-01", "month": "0001-01", "page": "-1", "page_size": "-1", "team": "-1", "client": "-1", "pair": "-1",
        "duration_minutes": "-15",
    },
    "garbage": {name: "\x00'\";<x>%s{}[]" for name in PARAMETERS} | {"q": "x" * 5000},
}
ROLES = ["coordinator", "nurse", "artist", "manager", "administrator"]


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace and (f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner or namespace)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern.name, prefix + str(pattern.pattern), sorted(pattern.pattern.regex.groupindex)


def project_patterns():
    """Every named pattern except Django's own admin (its views are not ours)."""
    return [
        (namespace, name, route, params)
        for namespace, name, route, params in _walk(get_resolver().url_patterns)
        # The ".json" suffix routes of the API router reach the same views as the plain ones.
        if name and not route.startswith("admin/") and "format" not in params
    ]


@pytest.fixture
def world(pair, client_record, coordinator, manager, admin_user):
    today = timezone.now().replace(microsecond=0)
    visit = make_visit(pair=pair, client=client_record, starts_at=today - dt.timedelta(minutes=30))
    participant = visit.participants.get(staff=pair.nurse)
    note = log_visit_note(participant=participant, by=pair.nurse.user, content={
        "art_form": "music", "activities": "Lauloimme.", "engagement": 4, "mood_before": 3, "mood_after": 4,
        "care_plan_observations": "", "next_visit_suggestions": "", "free_text": "",
    })
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    first = dt.datetime.combine(monday, dt.time(10), tzinfo=timezone.get_default_timezone())
    series = services.schedule_series(
        client=client_record, pair=pair, first_starts_at=first, duration=dt.timedelta(hours=1), count=2, by=coordinator.user,
    ).series
    entry = f.ServiceCircleEntryFactory(client=client_record)
    return {
        "client": client_record.pk, "visit": visit.pk, "series": series.pk, "pair": pair.pk, "team": pair.team_id,
        "staff": coordinator.pk, "entry": entry.pk, "note": note.pk,
        "users": {
            "coordinator": coordinator.user, "nurse": pair.nurse.user, "artist": pair.artist.user,
            "manager": manager.user, "administrator": admin_user,
        },
    }


def _path_values(namespace: str | None, name: str, params: list[str], world: dict) -> dict:
    ids = {
        "client_pk": world["client"], "visit_pk": world["visit"], "visit_id": world["visit"], "client_id": world["client"],
        "day": "2027-03-28", "table": "staff", "slug": "staff", "token": "not-a-token", "uidb64": "MQ",
    }
    values = {param: ids[param] for param in params if param in ids}
    if "pk" in params:
        by_name = [
            ("series", "series"), ("service-circle", "entry"), ("note", "note"), ("visit", "visit"), ("client", "client"),
            ("pair", "pair"), ("team", "team"), ("staff", "staff"),
        ]
        by_namespace = {"clients": "client", "visits": "visit", "pairwork": "pair"}
        kind = next((kind for key, kind in by_name if key in name), None) or by_namespace.get(namespace or "")
        values["pk"] = world[kind] if kind else 1
    return values


def _urls(world: dict) -> list[str]:
    urls = []
    for namespace, name, _route, params in project_patterns():
        full_name = f"{namespace}:{name}" if namespace else name
        urls.append(reverse(full_name, kwargs=_path_values(namespace, name, params, world)))
    return sorted(set(urls))


def test_the_walk_reaches_every_app():
    routes = [route for _ns, _name, route, _params in project_patterns()]
    for prefix in ("clients/", "visits/", "wellbeing/", "pairs/", "api/v1/", "accounts/"):
        assert any(route.startswith(prefix) for route in routes), prefix


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_no_url_answers_a_server_error_to_mutated_queries(world, role):
    page = PageClient(raise_request_exception=False)
    page.force_login(world["users"][role])
    failures = []
    for url in _urls(world):
        for label, query in MUTATIONS.items():
            cache.clear()  # throttles would turn the rest into 429s and hide the answers
            response = page.get(url, query)
            if response.status_code >= 500:
                failures.append((url, label, response.status_code))
    assert failures == []


@pytest.mark.parametrize("role", ROLES)
def test_options_answers_on_every_api_route(world, role):
    page = PageClient(raise_request_exception=False)
    page.force_login(world["users"][role])
    failures = []
    for url in (url for url in _urls(world) if url.startswith("/api/v1/")):
        cache.clear()
        response = page.options(url)
        if response.status_code >= 500 or (response.status_code == 200 and not response.get("Allow")):
            failures.append((url, response.status_code))
    assert failures == []

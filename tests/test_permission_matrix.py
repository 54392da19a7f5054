"""Who gets what from every URL of the visits and clients apps.

The URLs come from the URL configuration itself: a new URL in either app
without an entry in MATRIX fails `test_permission_matrix` for it (and
`test_every_url_has_a_case`). Each entry names the URL's arguments, the
request, and the expected outcome for every persona:

    OK         200
    DONE       302 onward (a POST that did its work)
    FORBIDDEN  403 (a page about no object, for roles it is not for)
    NOT_FOUND  404 (the object's existence is not revealed)
    TO_LOGIN   302 to the login page

For pages of client data (`logged=True`) every signed-in request must also
leave exactly one access-log row, allowed exactly when the answer was OK or
DONE, with the persona's grounds; and no artist's page may contain the
client's health notes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

import pytest
from django.conf import settings
from django.db.models import Max
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from access.models import AccessLog
from tests.conftest import login
from tests.factories import make_visit
from visits import notes
from visits.models import VisitSeries

APPS = ("visits", "clients")

OK, DONE, FORBIDDEN, NOT_FOUND, TO_LOGIN = "200", "302 onward", "403", "404", "302 to login"

PAIR_ARTIST, PAIR_NURSE = "pair artist", "pair nurse"
OTHER_ARTIST, OTHER_NURSE = "other artist", "other nurse"
COORDINATOR, OTHER_COORDINATOR = "own-team coordinator", "other-team coordinator"
MANAGER, ADMINISTRATOR, ANONYMOUS = "manager", "administrator", "anonymous"

# persona -> conftest fixture
PERSONAS = {
    PAIR_ARTIST: "artist",
    PAIR_NURSE: "nurse",
    OTHER_ARTIST: "other_artist",
    OTHER_NURSE: "other_nurse",
    COORDINATOR: "coordinator",
    OTHER_COORDINATOR: "other_coordinator",
    MANAGER: "manager",
    ADMINISTRATOR: "admin_user",
    ANONYMOUS: None,
}
ARTISTS = {PAIR_ARTIST, OTHER_ARTIST}
GROUNDS = {
    PAIR_ARTIST: "visit participant",
    PAIR_NURSE: "visit participant",
    COORDINATOR: "team coordinator",
    ADMINISTRATOR: "administrator",
}
HEALTH_NOTES = "Terveystieto: insuliinihoitoinen diabetes."


@dataclass
class World:
    """One client (Helmi, our team) with a visit today that the nurse has already written about."""

    client: object
    visit: object
    pair: object
    series: object = None


def visit_pk(world: World) -> dict:
    return {"pk": world.visit.pk}


def client_pk(world: World) -> dict:
    return {"pk": world.client.pk}


def series_pk(world: World) -> dict:
    return {"pk": world.series.pk}


def no_kwargs(world: World) -> dict:
    return {}


def today(world: World) -> dict:
    return {"day": timezone.localdate().isoformat()}


def unknown_token(world: World) -> dict:
    return {"token": "not-a-real-token"}


@dataclass(frozen=True)
class Case:
    kwargs: Callable[[World], dict]
    expect: dict[str, str]
    method: str = "get"
    data: dict = field(default_factory=dict)
    logged: bool = True


def role_page(*allowed: str) -> dict[str, str]:
    """A page about no single object: 200 for its roles, 403 for other signed-in people."""
    return {
        persona: OK if persona in allowed else TO_LOGIN if persona == ANONYMOUS else FORBIDDEN for persona in PERSONAS
    }


STAFF = tuple(persona for persona in PERSONAS if persona not in (ANONYMOUS, ADMINISTRATOR))


def only(*allowed: str, ok: str = OK) -> dict[str, str]:
    """`ok` for the allowed personas, 302 to login for anonymous, 404 for everyone else."""
    return {
        persona: ok if persona in allowed else TO_LOGIN if persona == ANONYMOUS else NOT_FOUND for persona in PERSONAS
    }


MATRIX: dict[str, Case] = {
    "visits:detail": Case(visit_pk, only(PAIR_ARTIST, PAIR_NURSE, COORDINATOR, ADMINISTRATOR)),
    "visits:note": Case(visit_pk, only(PAIR_ARTIST, PAIR_NURSE)),
    "visits:outcome": Case(visit_pk, only(PAIR_ARTIST, PAIR_NURSE, ok=DONE), method="post", data={"status": "completed"}),
    "clients:notes": Case(client_pk, only(PAIR_ARTIST, PAIR_NURSE, COORDINATOR, ADMINISTRATOR)),
    "clients:access_log": Case(client_pk, only(COORDINATOR, ADMINISTRATOR)),
    "clients:data_export": Case(client_pk, only(ADMINISTRATOR)),
    # Scheduling (issue 3): coordinators of the team and administrators.
    # List pages log one row per client shown, so they are not `logged` here.
    "clients:list": Case(no_kwargs, role_page(COORDINATOR, OTHER_COORDINATOR, ADMINISTRATOR), logged=False),
    "clients:create": Case(no_kwargs, role_page(COORDINATOR, OTHER_COORDINATOR, ADMINISTRATOR), logged=False),
    "clients:detail": Case(client_pk, only(COORDINATOR, ADMINISTRATOR)),
    "clients:edit": Case(client_pk, only(COORDINATOR, ADMINISTRATOR)),
    "clients:archive": Case(client_pk, only(COORDINATOR, ADMINISTRATOR)),
    "clients:restore": Case(client_pk, only(COORDINATOR, ADMINISTRATOR, ok=DONE), method="post"),
    "clients:familiar_nurses": Case(client_pk, only(COORDINATOR, ADMINISTRATOR)),
    "clients:service_circle": Case(client_pk, only(COORDINATOR, ADMINISTRATOR)),
    "visits:schedule": Case(no_kwargs, role_page(COORDINATOR, OTHER_COORDINATOR, ADMINISTRATOR), logged=False),
    "visits:series": Case(series_pk, only(COORDINATOR, ADMINISTRATOR)),
    "visits:reschedule": Case(visit_pk, only(COORDINATOR, ADMINISTRATOR)),
    "visits:cancel": Case(visit_pk, only(COORDINATOR, ADMINISTRATOR)),
    "visits:calendar": Case(no_kwargs, role_page(COORDINATOR, OTHER_COORDINATOR, ADMINISTRATOR), logged=False),
    "visits:calendar_day": Case(today, role_page(COORDINATOR, OTHER_COORDINATOR, ADMINISTRATOR), logged=False),
    # Staff pages about oneself; an administrator has no visits of their own.
    "visits:my_visits": Case(no_kwargs, role_page(*STAFF), logged=False),
    "visits:calendar_feed": Case(no_kwargs, role_page(*STAFF), logged=False),
    # The feed authenticates by its secret token alone; a wrong one reveals nothing.
    "visits:ical_feed": Case(unknown_token, {persona: NOT_FOUND for persona in PERSONAS}, logged=False),
}


def _url_names(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_names(pattern.url_patterns, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
        elif isinstance(pattern, URLPattern):
            yield f"{prefix}{pattern.name}" if pattern.name else f"{prefix}<unnamed {pattern.pattern}>"


def url_names_of_apps() -> list[str]:
    return sorted({name for name in _url_names(get_resolver().url_patterns) if name.split(":")[0] in APPS})


URL_NAMES = url_names_of_apps()


@pytest.fixture
def world(pair, client_record, nurse) -> World:
    client_record.health_notes = HEALTH_NOTES
    client_record.save(update_fields=["health_notes"])
    # A past visit with the nurse's note, so the notes list has something to show.
    past = make_visit(pair=pair, client=client_record, starts_at=timezone.now() - dt.timedelta(days=7))
    notes.log_visit_note(
        participant=past.participants.get(staff=nurse), by=nurse.user,
        content={"art_form": "music", "activities": "Lauloimme.", "engagement": 4, "mood_before": 3, "mood_after": 4,
                 "care_plan_observations": "", "next_visit_suggestions": "", "free_text": ""},
    )
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=20)
    series = VisitSeries.objects.create(
        client=client_record, pair=pair, first_starts_at=starts_at, duration_minutes=60, count=1
    )
    today = make_visit(pair=pair, client=client_record, starts_at=starts_at, series=series)
    return World(client=client_record, visit=today, pair=pair, series=series)


def outcome_of(response) -> str:
    if response.status_code == 302:
        login_url = resolve_url(settings.LOGIN_URL)
        return TO_LOGIN if response.url.startswith(login_url) else DONE
    return str(response.status_code)


def test_every_url_has_a_case():
    assert URL_NAMES, "no URLs found for the visits and clients apps"
    missing = sorted(set(URL_NAMES) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(URL_NAMES))
    assert not missing, f"add a MATRIX case for: {missing}"
    assert not stale, f"MATRIX has cases for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("persona", list(PERSONAS))
@pytest.mark.parametrize("url_name", URL_NAMES)
def test_permission_matrix(client, world, url_name, persona, request):
    case = MATRIX.get(url_name)
    if case is None:
        pytest.fail(f"{url_name} has no case in MATRIX: say what each persona gets from it")
    fixture = PERSONAS[persona]
    if fixture is not None:
        login(client, request.getfixturevalue(fixture))
    url = reverse(url_name, kwargs=case.kwargs(world))
    last_row_before = AccessLog.objects.aggregate(last=Max("id"))["last"] or 0

    response = getattr(client, case.method)(url, case.data)

    outcome = outcome_of(response)
    assert outcome == case.expect[persona], f"{persona} {case.method.upper()} {url_name}: {outcome}"
    new_rows = list(AccessLog.objects.filter(id__gt=last_row_before))
    if fixture is None:
        assert not new_rows, "anonymous requests must not reach client data"
    elif case.logged:
        assert len(new_rows) == 1, f"{persona} {url_name}: expected exactly one access-log row, got {len(new_rows)}"
        row = new_rows[0]
        allowed = outcome in (OK, DONE)
        assert row.allowed is allowed
        assert row.client_id == world.client.pk
        if allowed:
            assert row.grounds == GROUNDS[persona]
    if persona in ARTISTS and outcome == OK:
        assert HEALTH_NOTES not in response.content.decode()

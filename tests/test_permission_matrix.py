"""Who gets what from every URL of the project, as each persona.

The URLs come from the URL configuration itself: every named URL (home,
accounts, pairs, clients, visits, wellbeing, the API) and every admin page
of the project's own apps. A URL without an entry in MATRIX fails
`test_every_url_has_a_case` and its own matrix cells. Each entry names how
to reach the URL, the request, and the expected outcome for every persona:

    OK            200 (201 for an API create)
    DONE          302 onward (a POST that did its work)
    FORBIDDEN     403: the URL is not for the persona's role; no client was looked up, so no row
    NOT_FOUND     404: the object exists but is not the persona's (nor is its existence revealed)
    TO_LOGIN      302 to the login page (the admin's own login page for the admin)
    UNAUTHORIZED  401 (the API, anonymous)
    BAD_REQUEST   400 (a field error: the client named is not one the persona may book for)

and what the access log must hold afterwards (docs/rules.md rule 3):

    ONE   exactly one row for the world's client: allowed exactly when the
          answer was OK or DONE, with the persona's grounds; none for a
          FORBIDDEN role refusal
    LIST  one list-read row per client shown: the world's client exactly for
          the personas in `shown_to`, every row allowed, with their grounds
    NONE  no row, and then the response may not name the client at all

Independently of the case, every artist's response (page or API) is walked
for the fields the least-data table withholds from artists: the client's
health notes, phone and birth year, and the nurse's care-plan observations.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Callable

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from access.choices import Grounds
from access.models import AccessLog
from tests import factories as f
from tests.conftest import login
from tests.factories import make_visit
from tests.wellbeing.conftest import shipped_instruments  # noqa: F401 (autouse: the shipped instruments)
from visits import notes
from visits.models import ClientAbsence, VisitSeries
from wellbeing import metrics
from pairwork.api_tokens import issue_api_token
from wellbeing.models import SickLeaveCost, TimePoint
from wellbeing.selectors import current_instrument
from wellbeing.services import submit_response

# The admin pages of these apps are in the matrix (Django's own, auth and axes, hold no client data).
ADMIN_APPS = ("access", "clients", "pairwork", "visits", "wellbeing")

OK, DONE, FORBIDDEN, NOT_FOUND, TO_LOGIN = "200", "302 onward", "403", "404", "302 to login"
CREATED, BAD_REQUEST, UNAUTHORIZED = "201", "400", "401"
ONE, LIST, NONE = "one row", "a row per client shown", "no row"

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
SIGNED_IN = tuple(persona for persona in PERSONAS if persona != ANONYMOUS)
STAFF = tuple(persona for persona in SIGNED_IN if persona != ADMINISTRATOR)
PAIR = (PAIR_ARTIST, PAIR_NURSE)
CARE_TEAM = (PAIR_ARTIST, PAIR_NURSE, COORDINATOR, ADMINISTRATOR)
ARTISTS = {PAIR_ARTIST, OTHER_ARTIST}
NOT_COORDINATORS = (PAIR_ARTIST, PAIR_NURSE, OTHER_ARTIST, OTHER_NURSE, MANAGER)
GROUNDS = {
    PAIR_ARTIST: Grounds.VISIT_PARTICIPANT,
    PAIR_NURSE: Grounds.VISIT_PARTICIPANT,
    COORDINATOR: Grounds.TEAM_COORDINATOR,
    ADMINISTRATOR: Grounds.ADMINISTRATOR,
}

# What the least-data table withholds from artists, as values planted in the world.
HEALTH_NOTES = "Terveystieto: insuliinihoitoinen diabetes."
OBSERVATIONS = "Hoitosuunnitelmaan: ruokahalu heikentynyt."
PHONE = "040 765 4321"
BIRTH_YEAR = 1927
WITHHELD_FROM_ARTISTS = (HEALTH_NOTES, OBSERVATIONS, PHONE)
WITHHELD_KEYS = ("health_notes", "care_plan_observations", "phone", "birth_year")
CLIENT_ANSWERS = {
    "life_satisfaction": 5, "worthwhile": 6, "happiness": 5, "anxiety": 6,
    "feels_lonely": 3, "someone_to_talk_to": 3, "left_outside": 3, "everyday_activities": 3,
}


@dataclass
class World:
    """Client Helmi of our team: a visit by Aino and Hanna now (in a series), last week's with Hanna's note,
    a baseline measurement, a service-circle entry."""

    client: object
    visit: object
    past_visit: object
    note: object
    series: object
    pair: object
    team: object
    nurse: object
    circle_entry: object
    response: object
    instrument: object
    api_token: object
    sick_leave_cost: object
    client_absence: object


@dataclass(frozen=True)
class Case:
    path: Callable[[str, World], str]
    expect: dict[str, str]
    method: str = "get"
    data: Callable[[World], dict] | dict = field(default_factory=dict)
    log: str = NONE
    shown_to: tuple[str, ...] = ()  # LIST: the personas whose response names the world's client


# --- How to reach a URL -----------------------------------------------------------------------

def plain(name: str, world: World) -> str:
    return reverse(name)


def by(attribute: str, kwarg: str = "pk") -> Callable[[str, World], str]:
    def path(name: str, world: World) -> str:
        return reverse(name, kwargs={kwarg: getattr(world, attribute).pk})
    return path


def with_kwargs(**fixed) -> Callable[[str, World], str]:
    return lambda name, world: reverse(name, kwargs=fixed)


def admin_object(attribute: str) -> Callable[[str, World], str]:
    if attribute == "absence":
        return lambda name, world: reverse(name, kwargs={"object_id": world_absence(world).pk})
    return lambda name, world: reverse(name, kwargs={"object_id": getattr(world, attribute).pk})


def client_and(attribute: str) -> Callable[[str, World], str]:
    return lambda name, world: reverse(name, kwargs={"client_pk": world.client.pk, "pk": getattr(world, attribute).pk})


def note_path(name: str, world: World) -> str:
    return reverse(name, kwargs={"visit_pk": world.past_visit.pk, "pk": world.note.pk})


def past_visit_notes(name: str, world: World) -> str:
    return reverse(name, kwargs={"visit_pk": world.past_visit.pk})


def stand_ins_for_nurse(name: str, world: World) -> str:
    return reverse(name, kwargs={"pk": world.visit.pk}) + f"?person={world.nurse.pk}"


def today(name: str, world: World) -> str:
    return reverse(name, kwargs={"day": timezone.localdate().isoformat()})


def world_absence(world: World):
    """Nurse Hanna's sick leave today (written plainly; the services are tested in tests/test_staff_absences.py)."""
    from visits.absences import all_day_range
    from visits.models import StaffAbsence

    starts_at, ends_at = all_day_range(timezone.localdate(), timezone.localdate())
    return StaffAbsence.objects.get_or_create(person=world.nurse, kind="sick_leave", starts_at=starts_at, ends_at=ends_at)[0]


def with_absence(name: str, world: World) -> str:
    """A page listing absences, with the world's absence (affecting the visit now) on it."""
    world_absence(world)
    return reverse(name)


def absence(name: str, world: World) -> str:
    return reverse(name, kwargs={"pk": world_absence(world).pk})


def first_access_log_row(name: str, world: World) -> str:
    return reverse(name, kwargs={"object_id": AccessLog.objects.order_by("id").values_list("id", flat=True).first()})


# --- Expected outcomes ---------------------------------------------------------------------------

def everyone(outcome: str, anonymous: str | None = None) -> dict[str, str]:
    return {persona: anonymous if persona == ANONYMOUS and anonymous else outcome for persona in PERSONAS}


def role_page(*allowed: str, ok: str = OK, anonymous: str = TO_LOGIN) -> dict[str, str]:
    """A page for some roles: `ok` for them, 403 for other signed-in people."""
    return {persona: ok if persona in allowed else anonymous if persona == ANONYMOUS else FORBIDDEN for persona in PERSONAS}


def only(*allowed: str, ok: str = OK, anonymous: str = TO_LOGIN, forbidden: tuple[str, ...] = ()) -> dict[str, str]:
    """`ok` for the allowed personas, 404 for the others (403 for the roles in `forbidden`)."""
    return {
        persona: ok if persona in allowed else anonymous if persona == ANONYMOUS
        else FORBIDDEN if persona in forbidden else NOT_FOUND
        for persona in PERSONAS
    }


def api_only(*allowed: str, ok: str = OK, forbidden: tuple[str, ...] = ()) -> dict[str, str]:
    return only(*allowed, ok=ok, anonymous=UNAUTHORIZED, forbidden=forbidden)


def api_role(*allowed: str, ok: str = OK) -> dict[str, str]:
    return role_page(*allowed, ok=ok, anonymous=UNAUTHORIZED)


def admin_page(ok: str = OK) -> dict[str, str]:
    """The admin: only the administrator; everyone else is sent to the admin's login."""
    return {persona: ok if persona == ADMINISTRATOR else TO_LOGIN for persona in PERSONAS}


def later(hours: int) -> str:
    return (timezone.now() + dt.timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0).isoformat()


ADMIN = "admin"
COORDINATORS_AND_ADMIN = (COORDINATOR, OTHER_COORDINATOR, ADMINISTRATOR)
MATRIX: dict[str, Case] = {
    # Home and accounts. Home names the clients of the pair's visits.
    "home": Case(plain, role_page(*SIGNED_IN), log=LIST, shown_to=PAIR),
    "login": Case(plain, everyone(OK)),
    "logout": Case(plain, everyone(TO_LOGIN), method="post"),
    "password_change": Case(plain, role_page(*SIGNED_IN)),
    "password_change_done": Case(plain, role_page(*SIGNED_IN)),
    "password_reset": Case(plain, everyone(OK)),
    "password_reset_done": Case(plain, everyone(OK)),
    "password_reset_confirm": Case(with_kwargs(uidb64="MQ", token="set-password"), everyone(OK)),
    "password_reset_complete": Case(plain, everyone(OK)),
    "set_language": Case(plain, everyone(DONE), method="post", data={"language": "fi", "next": "/"}),
    # Pairs: coordinators of the team; the pair's own members see their pair.
    "pairwork:pairs": Case(plain, role_page(*COORDINATORS_AND_ADMIN)),
    "pairwork:pair_create": Case(plain, role_page(*COORDINATORS_AND_ADMIN)),
    "pairwork:pair_detail": Case(by("pair"), only(*PAIR, COORDINATOR, ADMINISTRATOR)),
    "pairwork:pair_edit": Case(by("pair"), only(COORDINATOR, ADMINISTRATOR, forbidden=(*PAIR, OTHER_ARTIST, OTHER_NURSE, MANAGER))),
    "pairwork:pair_end": Case(by("pair"), only(COORDINATOR, ADMINISTRATOR, forbidden=(*PAIR, OTHER_ARTIST, OTHER_NURSE, MANAGER))),
    # Clients (coordinators keep the record; the pair reads the notes of its client).
    "clients:list": Case(plain, role_page(*COORDINATORS_AND_ADMIN), log=LIST, shown_to=(COORDINATOR, ADMINISTRATOR)),
    "clients:create": Case(plain, role_page(*COORDINATORS_AND_ADMIN)),
    "clients:detail": Case(by("client"), only(COORDINATOR, ADMINISTRATOR), log=ONE),
    "clients:edit": Case(by("client"), only(COORDINATOR, ADMINISTRATOR), log=ONE),
    "clients:archive": Case(by("client"), only(COORDINATOR, ADMINISTRATOR), log=ONE),
    "clients:restore": Case(by("client"), only(COORDINATOR, ADMINISTRATOR, ok=DONE), method="post", log=ONE),
    "clients:familiar_nurses": Case(by("client"), only(COORDINATOR, ADMINISTRATOR), log=ONE),
    "clients:service_circle": Case(by("client"), only(COORDINATOR, ADMINISTRATOR), log=ONE),
    "clients:notes": Case(by("client"), only(*CARE_TEAM), log=ONE),
    "clients:access_log": Case(by("client"), only(COORDINATOR, ADMINISTRATOR), log=ONE),
    "clients:data_export": Case(by("client"), only(ADMINISTRATOR), log=ONE),
    "clients:absences": Case(by("client"), only(COORDINATOR, ADMINISTRATOR), log=ONE),
    # Visits.
    "visits:detail": Case(by("visit"), only(*CARE_TEAM), log=ONE),
    "visits:note": Case(by("visit"), only(*PAIR), log=ONE),
    "visits:outcome": Case(by("visit"), only(*PAIR, ok=DONE), method="post", data={"status": "completed"}, log=ONE),
    "visits:schedule": Case(plain, role_page(*COORDINATORS_AND_ADMIN), log=LIST, shown_to=(COORDINATOR, ADMINISTRATOR)),
    "visits:series": Case(by("series"), only(COORDINATOR, ADMINISTRATOR), log=ONE),
    "visits:free_times": Case(plain, role_page(*COORDINATORS_AND_ADMIN), log=LIST, shown_to=(COORDINATOR, ADMINISTRATOR)),
    "visits:reschedule": Case(by("visit"), only(COORDINATOR, ADMINISTRATOR), log=ONE),
    "visits:cancel": Case(by("visit"), only(COORDINATOR, ADMINISTRATOR), log=ONE),
    "visits:stand_ins": Case(stand_ins_for_nurse, only(COORDINATOR, ADMINISTRATOR), log=ONE),
    "visits:stand_ins_for_person": Case(plain, role_page(*COORDINATORS_AND_ADMIN)),
    "visits:calendar": Case(plain, role_page(*COORDINATORS_AND_ADMIN), log=LIST, shown_to=(COORDINATOR, ADMINISTRATOR)),
    "visits:calendar_day": Case(today, role_page(*COORDINATORS_AND_ADMIN), log=LIST, shown_to=(COORDINATOR, ADMINISTRATOR)),
    # Staff pages about oneself; an administrator has no visits of their own.
    "visits:my_visits": Case(plain, role_page(*STAFF), log=LIST, shown_to=PAIR),
    # Staff absences: the coordinator's page names the affected visits' clients; the change page names none.
    "visits:absences": Case(with_absence, role_page(*COORDINATORS_AND_ADMIN), log=LIST, shown_to=(COORDINATOR, ADMINISTRATOR)),
    "visits:absence_change": Case(absence, only(COORDINATOR, ADMINISTRATOR, forbidden=NOT_COORDINATORS)),
    "visits:report_sick": Case(plain, role_page(*PAIR, OTHER_ARTIST, OTHER_NURSE)),
    "visits:calendar_feed": Case(plain, role_page(*STAFF)),
    # The feed authenticates by its secret token alone; a wrong one reveals nothing.
    "visits:ical_feed": Case(with_kwargs(token="not-a-real-token"), everyone(NOT_FOUND)),
    # Wellbeing: the staff's own surveys, the nurse's client measurements, the managers' aggregates.
    "wellbeing:pulse": Case(by("past_visit", "visit_id"), only(*PAIR)),
    "wellbeing:monthly": Case(plain, role_page(*PAIR, OTHER_ARTIST, OTHER_NURSE)),
    "wellbeing:client_outcome": Case(by("client", "client_id"), only(PAIR_NURSE), log=ONE),
    "wellbeing:due_measurements": Case(plain, role_page(COORDINATOR, OTHER_COORDINATOR), log=LIST),
    "wellbeing:dashboard": Case(plain, role_page(MANAGER, ADMINISTRATOR)),
    "wellbeing:dashboard_report": Case(plain, role_page(MANAGER, ADMINISTRATOR)),
    "wellbeing:dashboard_export": Case(with_kwargs(table="pulse"), role_page(MANAGER, ADMINISTRATOR)),
    "wellbeing:dashboard_refresh": Case(plain, role_page(MANAGER, ADMINISTRATOR, ok=DONE), method="post"),
    "wellbeing:sick_leave_cost": Case(plain, role_page(MANAGER, ADMINISTRATOR, ok=DONE), method="post", data={"cost_per_day": "400"}),
    # The API (session-authenticated here; tokens are tested in tests/api).
    "api-schema": Case(plain, everyone(OK)),
    "api-docs": Case(plain, everyone(OK)),
    # Anything else under /api/ answers 404 in JSON.
    "<unnamed >": Case(lambda name, world: "/api/v2/clients/", everyone(NOT_FOUND)),
    "api-v1:team-list": Case(plain, api_role(*SIGNED_IN)),
    "api-v1:team-detail": Case(by("team"), api_role(*SIGNED_IN)),
    "api-v1:staff-list": Case(plain, api_role(*SIGNED_IN)),
    "api-v1:staff-detail": Case(by("nurse"), api_only(*STAFF, ADMINISTRATOR) | {OTHER_COORDINATOR: NOT_FOUND}),
    "api-v1:pair-list": Case(plain, api_role(*SIGNED_IN)),
    "api-v1:pair-detail": Case(by("pair"), api_only(*PAIR, COORDINATOR, ADMINISTRATOR)),
    "api-v1:client-list": Case(plain, api_role(*SIGNED_IN), log=LIST, shown_to=CARE_TEAM),
    "api-v1:client-detail": Case(by("client"), api_only(*CARE_TEAM), log=ONE),
    "api-v1:client-access-log-list": Case(by("client", "client_pk"), api_only(COORDINATOR, ADMINISTRATOR), log=ONE),
    "api-v1:client-service-circle-list": Case(
        by("client", "client_pk"), api_only(PAIR_NURSE, COORDINATOR, ADMINISTRATOR, forbidden=(*ARTISTS, MANAGER)), log=ONE
    ),
    "api-v1:client-service-circle-detail": Case(
        client_and("circle_entry"), api_only(PAIR_NURSE, COORDINATOR, ADMINISTRATOR, forbidden=(*ARTISTS, MANAGER)), log=ONE
    ),
    "api-v1:client-free-times": Case(by("client", "client_pk"), api_only(COORDINATOR, ADMINISTRATOR), log=ONE),
    "api-v1:visit-list": Case(plain, api_role(*SIGNED_IN), log=LIST, shown_to=CARE_TEAM),
    "api-v1:visit-detail": Case(by("visit"), api_only(*CARE_TEAM), log=ONE),
    # Another team's coordinator cannot name the client: a field error, as for a client that does not exist.
    "api-v1:visit-series": Case(
        plain, api_role(COORDINATOR, ADMINISTRATOR, ok=CREATED) | {OTHER_COORDINATOR: BAD_REQUEST}, method="post", log=ONE,
        data=lambda world: {"client": world.client.pk, "pair": world.pair.pk, "first_starts_at": later(24 * 7),
                            "duration_minutes": 60, "count": 2},
    ),
    "api-v1:visit-reschedule": Case(
        by("visit"), api_only(COORDINATOR, ADMINISTRATOR, forbidden=NOT_COORDINATORS), method="post", log=ONE,
        data=lambda world: {"starts_at": later(48), "ends_at": later(49), "reason": "Asiakkaan toive."},
    ),
    "api-v1:visit-cancel": Case(by("visit"), api_only(COORDINATOR, ADMINISTRATOR, forbidden=NOT_COORDINATORS), method="post", log=ONE,
                                data={"reason": "Asiakas sairaalassa."}),
    "api-v1:visit-stand-ins": Case(
        stand_ins_for_nurse, api_only(COORDINATOR, ADMINISTRATOR, forbidden=NOT_COORDINATORS), log=ONE,
    ),
    "api-v1:visit-outcome": Case(
        by("visit"), api_only(*PAIR, forbidden=(COORDINATOR, OTHER_COORDINATOR, MANAGER, ADMINISTRATOR)), method="post", log=ONE,
        data={"status": "completed"},
    ),
    "api-v1:visit-note-list": Case(past_visit_notes, api_only(*CARE_TEAM), log=ONE),
    "api-v1:visit-note-detail": Case(note_path, api_only(*CARE_TEAM), log=ONE),
    # Absences are staff data (no access-log rows): the person, their team's coordinators and administrators.
    "api-v1:absence-list": Case(with_absence, api_role(*SIGNED_IN)),
    "api-v1:absence-detail": Case(absence, api_only(PAIR_NURSE, COORDINATOR, ADMINISTRATOR)),
    "api-v1:absence-withdraw": Case(absence, api_only(COORDINATOR, ADMINISTRATOR, forbidden=(PAIR_NURSE,)), method="post"),
    "api-v1:instrument-list": Case(plain, api_role(*SIGNED_IN)),
    "api-v1:instrument-detail": Case(by("instrument"), api_role(*SIGNED_IN)),
    "api-v1:survey-response-list": Case(plain, api_role(*STAFF, ADMINISTRATOR) | {MANAGER: FORBIDDEN}, log=LIST,
                                        shown_to=(PAIR_NURSE, COORDINATOR, ADMINISTRATOR)),
    "api-v1:survey-response-detail": Case(
        by("response"), api_only(PAIR_NURSE, COORDINATOR, ADMINISTRATOR, forbidden=(MANAGER,)), log=ONE
    ),
    "api-v1:dashboard-list": Case(plain, api_role(MANAGER, ADMINISTRATOR)),
    "api-v1:dashboard-detail": Case(with_kwargs(slug="pulse"), api_role(MANAGER, ADMINISTRATOR)),
}

# The admin: client-bearing pages log on the admin channel; pages a service owns are read-only (403 to add or delete).
ADMIN_OBJECTS = {
    "clients_client": "client", "visits_visit": "visit", "visits_visitseries": "series", "visits_visitnote": "note",
    "pairwork_team": "team", "pairwork_workpair": "pair", "pairwork_staffprofile": "nurse", "wellbeing_instrument": "instrument",
    "pairwork_apitoken": "api_token", "wellbeing_sickleavecost": "sick_leave_cost",
    "visits_clientabsence": "client_absence", "visits_staffabsence": "absence",
}
CLIENT_BEARING_ADMIN = {"clients_client", "visits_visit", "visits_visitseries", "visits_visitnote", "visits_clientabsence"}
# Read-only models (a service owns every change), and single pages refused: an answered instrument is frozen,
# a team with clients is not deleted, an API token is revoked (never edited or deleted) and a cost is replaced.
READ_ONLY_ADMIN = {
    "visits_visit", "visits_visitseries", "visits_visitnote", "access_accesslog", "visits_clientabsence", "visits_staffabsence",
}
REFUSED_ADMIN_PAGES = {"wellbeing_instrument_delete", "pairwork_team_delete", "pairwork_apitoken_delete"}
for model, attribute in ADMIN_OBJECTS.items():
    bearing = model in CLIENT_BEARING_ADMIN
    MATRIX[f"admin:{model}_changelist"] = Case(plain, admin_page(), log=LIST if bearing else NONE, shown_to=(ADMINISTRATOR,))
    MATRIX[f"admin:{model}_add"] = Case(plain, admin_page(FORBIDDEN if model in READ_ONLY_ADMIN else OK))
    for page in ("change", "history", "delete"):
        refused = model in READ_ONLY_ADMIN and page == "delete" or f"{model}_{page}" in REFUSED_ADMIN_PAGES
        MATRIX[f"admin:{model}_{page}"] = Case(
            admin_object(attribute), admin_page(FORBIDDEN if refused else OK), log=ONE if bearing and not refused else NONE
        )
# The access log itself is append-only: readable, never added or deleted.
MATRIX |= {
    "admin:access_accesslog_changelist": Case(plain, admin_page()),
    "admin:access_accesslog_add": Case(plain, admin_page(FORBIDDEN)),
    "admin:access_accesslog_change": Case(first_access_log_row, admin_page(), log=ONE),
    "admin:access_accesslog_history": Case(first_access_log_row, admin_page(), log=ONE),
    "admin:wellbeing_instrument_import": Case(plain, admin_page()),
    "admin:access_accesslog_delete": Case(first_access_log_row, admin_page(FORBIDDEN)),
}


def _url_names(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_names(pattern.url_patterns, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
        elif isinstance(pattern, URLPattern):
            yield f"{prefix}{pattern.name}" if pattern.name else f"{prefix}<unnamed {pattern.pattern}>"


def _in_matrix(name: str) -> bool:
    if not name.startswith("admin:"):
        return True
    model_page = name.removeprefix("admin:")
    return model_page.split("_")[0] in ADMIN_APPS


def project_url_names() -> list[str]:
    return sorted({name for name in _url_names(get_resolver().url_patterns) if _in_matrix(name)})


URL_NAMES = project_url_names()


@pytest.fixture
def world(pair, client_record, nurse, team, coordinator) -> World:
    world_coordinator = coordinator
    client_record.health_notes, client_record.phone, client_record.birth_year = HEALTH_NOTES, PHONE, BIRTH_YEAR
    client_record.save(update_fields=["health_notes", "phone", "birth_year"])
    past = make_visit(pair=pair, client=client_record, starts_at=timezone.now() - dt.timedelta(days=7))
    note = notes.log_visit_note(
        participant=past.participants.get(staff=nurse), by=nurse.user,
        content={"art_form": "music", "activities": "Lauloimme.", "engagement": 4, "mood_before": 3, "mood_after": 4,
                 "care_plan_observations": OBSERVATIONS, "next_visit_suggestions": "", "free_text": ""},
    )
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=20)
    series = VisitSeries.objects.create(
        client=client_record, pair=pair, first_starts_at=starts_at, duration_minutes=60, count=1
    )
    now = make_visit(pair=pair, client=client_record, starts_at=starts_at, series=series)
    response = submit_response(
        instrument=current_instrument(metrics.CLIENT_OUTCOME), time_point=TimePoint.BASELINE, team=team,
        recorded_by=nurse.user, client=client_record, answers=CLIENT_ANSWERS, refresh_aggregates=False,
    )
    return World(
        client=client_record, visit=now, past_visit=past, note=note, series=series, pair=pair, team=team, nurse=nurse,
        circle_entry=f.ServiceCircleEntryFactory(client=client_record), response=response,
        instrument=response.instrument,  # answered, so frozen
        api_token=issue_api_token(user=world_coordinator.user, name="Asiakasrekisteri")[0],
        sick_leave_cost=SickLeaveCost.objects.create(cost_per_day=400, set_by=world_coordinator.user),
        # Next year, so that it cancels none of the world's visits.
        client_absence=ClientAbsence.objects.create(
            client=client_record, kind=ClientAbsence.Kind.TRAVEL, starts_on=timezone.localdate() + dt.timedelta(days=400),
            ends_on=timezone.localdate() + dt.timedelta(days=401), reason="Matka", created_by=world_coordinator.user,
        ),
    )


def outcome_of(response) -> str:
    if response.status_code == 302:
        logins = (resolve_url(settings.LOGIN_URL), reverse("admin:login"))
        return TO_LOGIN if response.url.startswith(logins) else DONE
    return str(response.status_code)


def test_every_url_has_a_case():
    assert len(URL_NAMES) > 100, "the URL configuration was not walked"
    missing = sorted(set(URL_NAMES) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(URL_NAMES))
    assert not missing, f"add a MATRIX case for: {missing}"
    assert not stale, f"MATRIX has cases for URLs that no longer exist: {stale}"


def _walk_keys(payload):
    if isinstance(payload, dict):
        for key, value in payload.items():
            yield key
            yield from _walk_keys(value)
    elif isinstance(payload, list):
        for item in payload:
            yield from _walk_keys(item)


@pytest.mark.parametrize("persona", list(PERSONAS))
@pytest.mark.parametrize("url_name", URL_NAMES)
def test_permission_matrix(client, world, url_name, persona, request):
    case = MATRIX.get(url_name)
    if case is None:
        pytest.fail(f"{url_name} has no case in MATRIX: say what each persona gets from it")
    cache.clear()  # throttle counters
    fixture = PERSONAS[persona]
    if fixture is not None:
        login(client, request.getfixturevalue(fixture))
    url = case.path(url_name, world)
    data = case.data(world) if callable(case.data) else case.data
    last_row_before = AccessLog.objects.aggregate(last=Max("id"))["last"] or 0

    if case.method == "post" and url.startswith("/api/"):
        response = client.post(url, json.dumps(data), content_type="application/json")
    else:
        response = getattr(client, case.method)(url, data)

    outcome = outcome_of(response)
    assert outcome == case.expect[persona], f"{persona} {case.method.upper()} {url_name}: {outcome}"
    body = response.content.decode(errors="replace")
    new_rows = list(AccessLog.objects.filter(id__gt=last_row_before))
    answered = outcome in (OK, DONE, CREATED)
    if fixture is None or case.log == NONE or outcome in (FORBIDDEN, TO_LOGIN, BAD_REQUEST):
        assert not new_rows, f"{persona} {url_name}: no access-log row expected, got {[str(r) for r in new_rows]}"
        if answered and case.log == NONE:
            assert world.client.last_name not in body, f"{url_name} names the client without logging the read"
    elif case.log == ONE:
        assert len(new_rows) == 1, f"{persona} {url_name}: expected exactly one access-log row, got {len(new_rows)}"
        row = new_rows[0]
        assert row.client_id == world.client.pk
        assert row.allowed is answered
        if answered:
            assert row.grounds == GROUNDS[persona]
        if url_name.startswith("admin:"):
            assert row.channel == "admin"
    elif case.log == LIST:
        assert all(row.allowed and row.action == "list" for row in new_rows), [str(row) for row in new_rows]
        assert len({row.client_id for row in new_rows}) == len(new_rows), "one row per client shown"
        shown = [row for row in new_rows if row.client_id == world.client.pk]
        assert len(shown) == (1 if persona in case.shown_to else 0), f"{persona} {url_name}: {len(shown)} rows"
        if shown:
            assert shown[0].grounds == GROUNDS[persona]
        else:
            assert world.client.last_name not in body, f"{url_name} names the client without logging the read"

    if persona in ARTISTS:
        for withheld in WITHHELD_FROM_ARTISTS:
            assert withheld not in body, f"{url_name} shows an artist {withheld!r}"
        if response.get("Content-Type", "").startswith("application/json") and url_name != "api-schema":
            leaked = set(_walk_keys(response.json())) & set(WITHHELD_KEYS)
            assert not leaked, f"{url_name} gives an artist {sorted(leaked)}"

"""Property-based run of the whole API against its own live schema (schemathesis), for each role.

A coordinator's token (and, with fewer examples each, a nurse's, an artist's,
a manager's and an administrator's) calls every operation with generated valid and invalid
input, over HTTP against pytest-django's live server, with demo-like data
from the factories. Each operation gets a bounded, derandomized number of
examples so the suite stays quick and repeatable. Every response must be
below 500, have a documented status and content type, match the documented
body schema, and invalid input must be refused with a 4xx.
"""
from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.apps import apps as django_apps
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from access.models import AccessLog
from pairwork.api_tokens import issue_api_token
from tests import factories as f
from tests.factories import make_visit
from tests.wellbeing.conftest import SHIPPING_MIGRATION
from wellbeing import metrics
from wellbeing.models import Instrument, Item, Scale
from wellbeing.selectors import current_instrument
from wellbeing.services import submit_response

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


ROLES = {
    "coordinator": lambda request: request.getfixturevalue("coordinator").user,
    "nurse": lambda request: request.getfixturevalue("pair").nurse.user,
    "artist": lambda request: request.getfixturevalue("pair").artist.user,
    "manager": lambda request: request.getfixturevalue("manager").user,
    "administrator": lambda request: request.getfixturevalue("admin_user"),
}


@pytest.fixture
def role():
    """Overridden by the per-role test's parametrize; the coordinator otherwise."""
    return "coordinator"


@pytest.fixture
def demo(request, role, live_server, coordinator, pair, client_record, other_team):
    """A small world: our team's pair, clients, visits, service circle and log; another team's client."""
    team = pair.team
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(days=1)
    visit = make_visit(pair=pair, client=client_record, starts_at=start)
    for hours in (3, 6):
        make_visit(pair=pair, client=f.ClientFactory(team=team), starts_at=start + dt.timedelta(hours=hours))
    entry = f.ServiceCircleEntryFactory(client=client_record)
    f.ClientFactory(team=other_team)
    AccessLog.objects.create(
        username="hanna", client=client_record, object_type="client", action="view", grounds="visit participant", allowed=True
    )
    # An instrument of its own, beside the post_visit_pulse v1 that the wellbeing migrations ship.
    pulse = Instrument.objects.create(code="test_pulse", name_fi="Käynnin jälkeen", audience="staff", time_points=["post_visit"])
    scale = Scale.objects.create(instrument=pulse, code="calm", name_fi="Rauhallisuus")
    Item.objects.create(instrument=pulse, scale=scale, code="calm", position=1, text_fi="Tilanne oli rauhallinen")
    # A client's outcome baseline, readable by the team's coordinator (the shipped instruments may have been flushed).
    if current_instrument(metrics.CLIENT_OUTCOME) is None:
        SHIPPING_MIGRATION.ship_instruments(django_apps, None)
    baseline = submit_response(
        instrument=current_instrument(metrics.CLIENT_OUTCOME), time_point="baseline", team=team, recorded_by=None,
        client=client_record, answers={"life_satisfaction": 5, "worthwhile": 6, "happiness": 5, "anxiety": 6},
        refresh_aggregates=False,
    )
    _, raw = issue_api_token(user=ROLES[role](request), name="Schemathesis")
    return {
        "token": raw,
        "bodies": {
            "/api/v1/clients/": {"team": team.pk},
            "/api/v1/clients/{id}/": {"team": team.pk},
            "/api/v1/visits/": {"client": client_record.pk, "pair": pair.pk},
            "/api/v1/visits/series/": {"client": client_record.pk, "pair": pair.pk},
            "/api/v1/pairs/": {
                "team": team.pk,
                "artist": f.ArtistFactory(team=team).pk,
                "nurse": f.NurseFactory(team=team).pk,
            },
        },
        "ids": {
            "/api/v1/teams/{id}/": {"id": team.pk},
            "/api/v1/staff/{id}/": {"id": coordinator.pk},
            "/api/v1/pairs/{id}/": {"id": pair.pk},
            "/api/v1/clients/{id}/": {"id": client_record.pk},
            "/api/v1/clients/{client_pk}/service-circle/": {"client_pk": client_record.pk},
            "/api/v1/clients/{client_pk}/service-circle/{id}/": {"client_pk": client_record.pk, "id": entry.pk},
            "/api/v1/clients/{client_pk}/access-log/": {"client_pk": client_record.pk},
            "/api/v1/visits/{id}/": {"id": visit.pk},
            "/api/v1/visits/{id}/reschedule/": {"id": visit.pk},
            "/api/v1/visits/{id}/cancel/": {"id": visit.pk},
            "/api/v1/visits/{id}/outcome/": {"id": visit.pk},
            "/api/v1/visits/{visit_pk}/notes/": {"visit_pk": visit.pk},
            "/api/v1/instruments/{id}/": {"id": pulse.pk},
            "/api/v1/survey-responses/{id}/": {"id": baseline.pk},
            "/api/v1/dashboard/{slug}/": {"slug": "staff"},
        },
    }


@pytest.fixture
def api_schema(live_server, demo):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")

    @schema.hook("before_generate_path_parameters")
    def sometimes_existing_objects(context, strategy):
        # Random ids almost never exist; mixing in real ones also exercises the 200 paths.
        known = demo["ids"].get(context.operation.path)
        return strategy if known is None else st.one_of(strategy, st.just(known))

    @schema.hook("before_generate_body")
    def sometimes_valid_references(context, strategy):
        # Random team, artist and nurse ids are refused (400); real ones also exercise creation.
        references = demo["bodies"].get(context.operation.path)
        if references is None:
            return strategy
        return st.one_of(strategy, strategy.map(lambda body: {**body, **references} if isinstance(body, dict) else body))

    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    # Generated cases only: schemathesis' coverage phase (run under Phase.explicit)
    # enumerates thousands of edge cases and would take many minutes.
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_generated_request_within_its_schema(case, demo):
    case.call_and_validate(headers={"Authorization": f"Token {demo['token']}"}, checks=CHECKS)


@pytest.mark.slow
@pytest.mark.parametrize("role", ["nurse", "artist", "manager", "administrator"])
@schema.parametrize()
@settings(
    max_examples=5,  # a CI budget: every operation, a few examples, per role
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_role_within_its_schema(case, demo, role):
    case.call_and_validate(headers={"Authorization": f"Token {demo['token']}"}, checks=CHECKS)

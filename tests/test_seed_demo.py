"""`manage.py seed_demo`: a demo world rich enough to show, clean enough to trust, safe to rerun.

The world is seeded once for this module (it takes about a second), inside a
transaction that is rolled back when the module is done; every test runs in a
savepoint of its own on top of it.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from clients.models import CareRelationship, Client, ServiceCircleEntry
from pairwork.demo import DEMO_LOGINS, DEMO_PASSWORD
from pairwork.demo.client_records import client_specs
from pairwork.demo.visit_plan import HELSINKI, VisitPlanner, WeeklyHours
from pairwork.models import Role, StaffProfile, Team, WeeklyAvailability, WorkPair
from pairwork.roles import ADMINISTRATOR, GROUP_NAMES, role_of
from visits.models import (
    INACTIVE_STATUSES,
    Visit,
    VisitEvent,
    VisitNote,
    VisitNoteVersion,
    VisitParticipant,
    VisitSeries,
    VisitStatus,
)

from tests.wellbeing.conftest import ensure_shipped_instruments  # noqa: E402

pytestmark = pytest.mark.django_db

SEEDED_APPS = ("auth", "pairwork", "clients", "visits", "wellbeing")


@pytest.fixture(scope="module")
def seed_output(django_db_setup, django_db_blocker):
    """Seed once for the module, the way `make run` does; what the command printed."""
    with django_db_blocker.unblock(), transaction.atomic():
        # A browser test on the same worker may have flushed the shipped instruments; the demo answers them.
        ensure_shipped_instruments()
        out = StringIO()
        with override_settings(DEBUG=True):
            call_command("seed_demo", "--if-empty", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seed_output, db):
    return seed_output


def row_counts() -> dict[str, int]:
    """Rows in every table of the apps the seed writes to, many-to-many tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for label in SEEDED_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def run_seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(HELSINKI).date()


# --- size and shape ---------------------------------------------------------------------


def test_demo_world_has_teams_staff_and_pairs_of_every_kind(seeded):
    assert Team.objects.count() >= 2
    artists = StaffProfile.objects.artists()
    assert artists.count() >= 6
    assert len({form for artist in artists for form in artist.art_forms}) >= 5
    assert artists.filter(languages__contains=["sv"]).exists()
    assert StaffProfile.objects.nurses().count() >= 10

    pairs = WorkPair.objects.select_related("artist", "nurse")
    assert pairs.count() >= 8
    for pair in pairs:
        assert pair.artist.teams.filter(pk=pair.team_id).exists()
        assert pair.nurse.teams.filter(pk=pair.team_id).exists()
        assert "Tavoitteet:" in pair.shared_agreement and "Arvot:" in pair.shared_agreement
        assert "Roolit:" in pair.shared_agreement
    today = timezone.localdate()
    assert pairs.filter(active_until__lt=today).count() == 1
    assert WorkPair.objects.active().count() >= 8


def test_every_artist_and_nurse_has_weekly_availability(seeded):
    field_staff = StaffProfile.objects.filter(role__in=[Role.ARTIST, Role.NURSE])
    assert field_staff.exists()
    assert not field_staff.exclude(pk__in=WeeklyAvailability.objects.values("staff")).exists()


def test_clients_are_many_and_varied_with_the_consent_rule_shown(seeded):
    clients = Client.objects.all()
    assert clients.count() >= 40
    assert set(clients.values_list("team", flat=True)) == set(Team.objects.values_list("pk", flat=True))
    assert clients.filter(language="sv").count() >= 3
    assert clients.archived().count() == 1
    without_consent = clients.filter(consent_given=False)
    assert without_consent.count() >= 2
    assert not without_consent.filter(consent_date__isnull=False).exists()
    assert not clients.filter(consent_given=True, consent_date__isnull=True).exists()
    # The rule the demo shows: no consent, no visits.
    assert not Visit.objects.filter(client__in=without_consent).exists()
    for client in clients:
        assert client.needs_and_wishes and client.preferred_art_forms and client.health_notes


def test_every_active_client_has_familiar_nurses_with_one_primary_and_a_service_circle(seeded):
    for client in Client.objects.active().prefetch_related("care_relationships__nurse", "service_circle"):
        familiar = list(client.care_relationships.all())
        assert 1 <= len(familiar) <= 2
        assert sum(rel.is_primary for rel in familiar) == 1
        assert all(rel.nurse.teams.filter(pk=client.team_id).exists() for rel in familiar)
        assert 1 <= len(client.service_circle.all()) <= 3


def test_only_synthetic_contact_details(seeded):
    User = get_user_model()
    assert all(email.endswith("@example.invalid") for email in User.objects.values_list("email", flat=True))
    phones = [
        *StaffProfile.objects.values_list("phone", flat=True),
        *Client.objects.values_list("phone", flat=True),
        *ServiceCircleEntry.objects.values_list("phone", flat=True),
    ]
    assert phones and all(phone.startswith("+358 40 000 ") for phone in phones)
    contact_emails = ServiceCircleEntry.objects.values_list("email", flat=True)
    assert all(email.endswith("@example.invalid") for email in contact_emails)


# --- visits ---------------------------------------------------------------------------


def test_visits_span_twelve_weeks_back_and_four_ahead_in_helsinki_working_hours(seeded):
    today = timezone.localdate()
    visits = list(Visit.objects.all())
    days = [local_day(visit.starts_at) for visit in visits]
    assert min(days) <= today - dt.timedelta(weeks=11)
    assert max(days) >= today + dt.timedelta(weeks=3)
    assert min(days) >= today - dt.timedelta(weeks=12) and max(days) <= today + dt.timedelta(weeks=4)
    for visit in visits:
        assert timezone.is_aware(visit.starts_at)
        starts, ends = visit.starts_at.astimezone(HELSINKI), visit.ends_at.astimezone(HELSINKI)
        assert dt.time(8) <= starts.time() and ends.time() <= dt.time(17) and starts.date() == ends.date()


def test_every_visit_falls_inside_both_members_weekly_availability(seeded):
    hours = WeeklyHours(WeeklyAvailability.objects.all())
    for visit in Visit.objects.select_related("pair"):
        assert hours.pair_covers(visit.pair, visit.starts_at, visit.ends_at), visit.pk


def test_past_visits_have_realistic_outcomes_and_future_ones_are_planned(seeded):
    today = timezone.localdate()
    past = Counter()
    for visit in Visit.objects.all():
        day = local_day(visit.starts_at)
        if day < today:
            past[visit.status] += 1
            assert visit.status != VisitStatus.PLANNED
        else:
            assert visit.status in (VisitStatus.PLANNED, VisitStatus.CANCELLED)
        if visit.status == VisitStatus.CANCELLED:
            assert visit.cancellation_reason
    assert past[VisitStatus.COMPLETED] > sum(past.values()) / 2
    for status in (VisitStatus.CLIENT_DECLINED, VisitStatus.NO_SHOW, VisitStatus.CANCELLED):
        assert past[status] > 0, status


def test_visits_respect_pair_periods_and_archiving(seeded):
    for visit in Visit.objects.select_related("pair", "client"):
        day = local_day(visit.starts_at)
        assert visit.pair.is_active_on(day)
        assert visit.pair.team_id == visit.client.team_id
        if visit.client.archived_at:
            assert visit.starts_at < visit.client.archived_at
    ended = WorkPair.objects.get(active_until__lt=timezone.localdate())
    assert ended.visits.exists()


def test_weekly_series_have_their_visits_a_week_apart(seeded):
    series = VisitSeries.objects.prefetch_related("visits")
    assert series.count() >= 3
    for one in series:
        visits = list(one.visits.all())
        assert len(visits) >= 3
        first = one.first_starts_at.astimezone(HELSINKI)
        for visit in visits:
            starts = visit.starts_at.astimezone(HELSINKI)
            assert (starts.weekday(), starts.time()) == (first.weekday(), first.time())
            assert (visit.client_id, visit.pair_id) == (one.client_id, one.pair_id)


def test_most_visits_are_made_with_a_familiar_nurse_but_not_all(seeded):
    familiar = set(CareRelationship.objects.values_list("client_id", "nurse_id"))
    active = Visit.objects.active().select_related("pair")
    with_familiar = sum((visit.client_id, visit.pair.nurse_id) in familiar for visit in active)
    assert 0.7 * active.count() <= with_familiar < active.count()


def test_each_visit_has_its_pair_as_participants_and_a_scheduled_event(seeded):
    participants = defaultdict(set)
    for visit_id, staff_id, role in VisitParticipant.objects.values_list("visit_id", "staff_id", "role"):
        participants[visit_id].add((staff_id, role))
    scheduled = Counter(VisitEvent.objects.filter(kind=VisitEvent.Kind.SCHEDULED).values_list("visit_id", flat=True))
    visits = Visit.objects.select_related("pair")
    assert visits.count() >= 200
    for visit in visits:
        assert participants[visit.pk] == {(visit.pair.artist_id, Role.ARTIST), (visit.pair.nurse_id, Role.NURSE)}
        assert scheduled[visit.pk] == 1


def test_no_person_or_client_is_in_two_overlapping_active_visits(seeded):
    calendars = defaultdict(list)
    for visit in Visit.objects.active().prefetch_related("participants"):
        calendars[("client", visit.client_id)].append((visit.starts_at, visit.ends_at))
        for participant in visit.participants.all():
            calendars[("staff", participant.staff_id)].append((visit.starts_at, visit.ends_at))
    assert len(calendars) > 40
    for who, slots in calendars.items():
        slots.sort()
        for (_, previous_end), (next_start, _) in zip(slots, slots[1:]):
            assert previous_end <= next_start, who


def test_completed_visits_have_a_note_from_each_participant_with_one_version(seeded):
    completed = Visit.objects.filter(status=VisitStatus.COMPLETED)
    assert completed.exists()
    notes = VisitNote.objects.select_related("participant__visit", "participant__staff")
    assert notes.count() == 2 * completed.count()
    assert not notes.exclude(participant__visit__status=VisitStatus.COMPLETED).exists()
    versions = {v.note_id: v for v in VisitNoteVersion.objects.all()}
    assert len(versions) == notes.count() == VisitNoteVersion.objects.count()
    for note in notes:
        assert note.activities and 1 <= note.engagement <= 5
        assert note.created_at >= note.participant.visit.ends_at
        version = versions[note.pk]
        assert version.version == note.version == 1
        assert version.content["activities"] == note.activities
        assert version.saved_by_id == note.participant.staff.user_id


# --- demo logins ---------------------------------------------------------------------------


def test_demo_users_sign_in_with_the_demo_password_and_have_their_roles(seeded, client):
    User = get_user_model()
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        validate_password(DEMO_PASSWORD, user)
        request = RequestFactory().get("/")
        assert client.login(request=request, username=login.username, password=DEMO_PASSWORD), login.username
        assert role_of(user) == login.role
        client.logout()
    assert not client.login(request=RequestFactory().get("/"), username="hoitaja", password="wrong-password-1")


def test_demo_roles_have_the_teams_and_rights_their_jobs_need(seeded):
    User = get_user_model()
    users = {login.username: User.objects.get(username=login.username) for login in DEMO_LOGINS}
    kallio, espoo = Team.objects.get(name="Kallio–Vallila"), Team.objects.get(name="Espoo keskus")
    assert list(users["koordinaattori"].staff_profile.teams.all()) == [kallio]
    assert list(users["koordinaattori2"].staff_profile.teams.all()) == [espoo]
    manager = users["esihenkilo"].staff_profile
    assert manager.organisation_wide and set(manager.teams.all()) == {kallio, espoo}
    admin = users["yllapitaja"]
    assert admin.is_staff and admin.is_superuser and not StaffProfile.objects.filter(user=admin).exists()
    assert role_of(admin) == ADMINISTRATOR
    for login in DEMO_LOGINS:
        if login.role != ADMINISTRATOR:
            assert list(users[login.username].groups.values_list("name", flat=True)) == [GROUP_NAMES[login.role]]


def test_demo_artist_and_nurse_are_one_pair_with_visits_today_and_ahead(seeded):
    pair = WorkPair.objects.get(artist__user__username="taiteilija", nurse__user__username="hoitaja")
    assert pair.team.name == "Kallio–Vallila" and pair.is_active_on(timezone.localdate())
    today = timezone.localdate()
    days = [local_day(visit.starts_at) for visit in pair.visits.exclude(status__in=INACTIVE_STATUSES)]
    assert days.count(today) >= 1
    assert sum(day > today for day in days) >= 3


def test_output_lists_the_counts_and_every_demo_login(seeded):
    assert "Demo data created" in seeded
    assert "visits" in seeded and "clients" in seeded
    for login in DEMO_LOGINS:
        assert login.username in seeded
    assert DEMO_PASSWORD in seeded


# --- safety and idempotence ----------------------------------------------------------


def test_running_again_creates_nothing_and_still_prints_the_logins(seeded, settings):
    settings.DEBUG = True
    before = row_counts()
    output = run_seed()
    assert row_counts() == before
    assert "nothing created" in output
    for login in DEMO_LOGINS:
        assert login.username in output


def test_a_rerun_adds_only_what_is_missing(seeded, settings):
    settings.DEBUG = True
    ServiceCircleEntry.objects.all().delete()
    before = row_counts()
    output = run_seed()
    after = row_counts()
    assert after.pop("clients.ServiceCircleEntry") >= Client.objects.count()
    before.pop("clients.ServiceCircleEntry")
    assert after == before
    assert "service circle entries" in output


def test_if_empty_leaves_a_database_with_data_as_it_is(seeded, settings):
    settings.DEBUG = True
    ServiceCircleEntry.objects.all().delete()  # a plain run would add these back
    before = row_counts()
    output = run_seed(if_empty=True)
    assert row_counts() == before
    assert "left it as it is" in output
    for login in DEMO_LOGINS:
        assert login.username in output


def test_refuses_to_write_when_debug_is_off(seeded, settings):
    settings.DEBUG = False
    ServiceCircleEntry.objects.all().delete()  # so that a run would have something to write
    before = row_counts()
    with pytest.raises(CommandError, match="DEBUG"):
        run_seed()
    assert row_counts() == before
    assert not ServiceCircleEntry.objects.exists()


def test_print_logins_only_prints(seeded, settings):
    settings.DEBUG = True
    ServiceCircleEntry.objects.all().delete()
    before = row_counts()
    output = run_seed(print_logins=True)
    assert row_counts() == before
    for login in DEMO_LOGINS:
        assert login.username in output
    assert DEMO_PASSWORD in output
    assert "created" not in output


# --- determinism -----------------------------------------------------------------------


def test_the_same_inputs_give_the_same_clients_and_visit_plan(seeded):
    assert client_specs() == client_specs()
    clients = list(Client.objects.order_by("pk"))
    pairs = list(WorkPair.objects.order_by("pk"))
    familiar = defaultdict(set)
    primary = {}
    for client_id, nurse_id, is_primary in CareRelationship.objects.values_list("client_id", "nurse_id", "is_primary"):
        familiar[client_id].add(nurse_id)
        if is_primary:
            primary[client_id] = nurse_id
    hours = WeeklyHours(WeeklyAvailability.objects.all())

    def plan():
        planner = VisitPlanner(
            rng=random.Random(2026), today=timezone.localdate(), clients=clients, pairs=pairs,
            familiar_nurses=familiar, primary_nurse=primary, hours=hours, anchor_pair=pairs[0],
        )
        return [(v.client.pk, v.pair.pk, v.starts_at, v.ends_at) for v in planner.make_plan().visits]

    first = plan()
    assert first and first == plan()


# --- outcome measurements ------------------------------------------------------------------


def test_the_demo_has_outcome_measurements_due_overdue_and_done(seeded):
    from wellbeing.outcome_schedule import DueStatus, measurement_schedules

    states = Counter(
        (measurement.time_point, measurement.status)
        for schedule in measurement_schedules(Client.objects.all())
        for measurement in schedule.measurements
    )
    for time_point in ("baseline", "follow_up"):
        assert states[(time_point, DueStatus.DONE)] > 0, time_point
        assert states[(time_point, DueStatus.DUE)] + states[(time_point, DueStatus.OVERDUE)] > 0, time_point
    assert states[("baseline", DueStatus.OVERDUE)] > 0
    assert states[("baseline", DueStatus.DUE)] > 0


def test_the_demo_has_one_current_absence_that_flags_visits_of_a_synthetic_nurse(seeded):
    from django.utils import timezone

    from visits.models import StaffAbsence

    [absence] = StaffAbsence.objects.all()
    assert absence.kind == "sick_leave" and absence.withdrawn_at is None
    assert absence.starts_at <= timezone.now() < absence.ends_at
    assert absence.person.role == "nurse"

"""Who sees which client and visit: access.policy, the rules every page and endpoint share, and its guard."""
import pytest
from django.http import Http404

from access.models import AccessLog
from access import guard
from access.choices import ObjectType
from access.policy import policy
from pairwork.auth_backends import UserWithProfileBackend
from clients.models import Client
from visits.models import Visit
from tests import factories as f
from tests.factories import make_visit


@pytest.fixture
def visit(pair, client_record):
    return make_visit(pair=pair, client=client_record)


def test_pair_members_see_their_visit_and_its_client(visit, artist, nurse, client_record):
    for person in (artist, nurse):
        assert list(Visit.objects.visible_to(person.user)) == [visit]
        assert list(Client.objects.visible_to(person.user)) == [client_record]


def test_staff_outside_the_visit_see_nothing(visit, other_artist, other_nurse, manager):
    for person in (other_artist, other_nurse, manager):
        assert not Visit.objects.visible_to(person.user).exists()
        assert not Client.objects.visible_to(person.user).exists()


def test_coordinator_sees_only_own_team(visit, coordinator, other_coordinator, client_record):
    assert list(Client.objects.visible_to(coordinator.user)) == [client_record]
    assert not Client.objects.visible_to(other_coordinator.user).exists()
    assert not Visit.objects.visible_to(other_coordinator.user).exists()


def test_the_sessions_coordinator_sees_the_same_with_the_team_ids_it_brings(visit, coordinator, other_coordinator,
                                                                             client_record, other_team):
    """The session's user carries their team ids, which the policy filters by as literals: same rows, no query."""
    other_visit = make_visit(pair=f.WorkPairFactory(team=other_team))
    coordinator.teams.add(f.TeamFactory())
    backend = UserWithProfileBackend()
    session_user, elsewhere = backend.get_user(coordinator.user.pk), backend.get_user(other_coordinator.user.pk)
    assert sorted(session_user.staff_team_ids) == sorted(coordinator.teams.values_list("pk", flat=True))
    assert list(Visit.objects.visible_to(session_user)) == [visit]
    assert list(Client.objects.visible_to(session_user)) == [client_record]
    assert list(Visit.objects.visible_to(elsewhere)) == [other_visit]
    assert policy(session_user).may_manage_team(visit.team_id) and not policy(elsewhere).may_manage_team(visit.team_id)


def test_only_nurses_and_coordinators_may_see_health_notes(visit, artist, nurse, coordinator, client_record):
    for person, sees in ((nurse, True), (coordinator, True), (artist, False)):
        rules = policy(person.user)
        assert rules.client_access(client_record).allowed
        assert rules.sees_health_data is sees
        assert ("health_notes" in rules.client_fields) is sees


def test_allowed_read_is_logged_with_grounds(visit, nurse, client_record):
    guard.fetch(nurse.user, ObjectType.CLIENT, client_record.pk)
    row = AccessLog.objects.get()
    assert (row.client_id, row.allowed, row.grounds, row.action, row.username) == (
        client_record.pk, True, "visit participant", "view", "hanna",
    )


def test_denied_read_is_logged_and_hidden_as_404(visit, other_coordinator, client_record):
    with pytest.raises(Http404):
        guard.fetch(other_coordinator.user, ObjectType.VISIT, visit.pk)
    row = AccessLog.objects.get()
    assert (row.client_id, row.allowed, row.grounds) == (client_record.pk, False, "no relationship")


def test_administrator_sees_everything(visit, admin_user):
    assert Visit.objects.visible_to(admin_user).count() == 1
    _, access = guard.fetch(admin_user, ObjectType.CLIENT, visit.client_id)
    assert access.grounds == "administrator"


def test_nonexistent_client_is_a_logged_denial(nurse):
    with pytest.raises(Http404):
        guard.fetch(nurse.user, ObjectType.CLIENT, 999999)
    assert AccessLog.objects.filter(allowed=False, client__isnull=True).count() == 1

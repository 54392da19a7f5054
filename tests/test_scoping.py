"""Who sees which client and visit: the rules every page and endpoint share."""
import pytest
from django.http import Http404

from clients.models import AccessLog
from pairwork import scoping
from tests import factories as f
from tests.factories import make_visit


@pytest.fixture
def visit(pair, client_record):
    return make_visit(pair=pair, client=client_record)


def test_pair_members_see_their_visit_and_its_client(visit, artist, nurse, client_record):
    for person in (artist, nurse):
        assert list(scoping.visible_visits(person.user)) == [visit]
        assert list(scoping.visible_clients(person.user)) == [client_record]


def test_staff_outside_the_visit_see_nothing(visit, other_artist, other_nurse, manager):
    for person in (other_artist, other_nurse, manager):
        assert not scoping.visible_visits(person.user).exists()
        assert not scoping.visible_clients(person.user).exists()


def test_coordinator_sees_only_own_team(visit, coordinator, other_coordinator, client_record):
    assert list(scoping.visible_clients(coordinator.user)) == [client_record]
    assert not scoping.visible_clients(other_coordinator.user).exists()
    assert not scoping.visible_visits(other_coordinator.user).exists()


def test_only_nurses_and_coordinators_may_see_health_notes(visit, artist, nurse, coordinator, client_record):
    assert scoping.may_see_health_notes(nurse.user, scoping.client_access(nurse.user, client_record))
    assert scoping.may_see_health_notes(coordinator.user, scoping.client_access(coordinator.user, client_record))
    assert not scoping.may_see_health_notes(artist.user, scoping.client_access(artist.user, client_record))


def test_allowed_read_is_logged_with_grounds(visit, nurse, client_record):
    scoping.get_client_or_404(nurse.user, client_record.pk)
    row = AccessLog.objects.get()
    assert (row.client_id, row.allowed, row.grounds, row.action, row.username) == (
        client_record.pk, True, "visit participant", "view", "hanna",
    )


def test_denied_read_is_logged_and_hidden_as_404(visit, other_coordinator, client_record):
    with pytest.raises(Http404):
        scoping.get_visit_or_404(other_coordinator.user, visit.pk)
    row = AccessLog.objects.get()
    assert (row.client_id, row.allowed, row.grounds) == (client_record.pk, False, "no relationship")


def test_administrator_sees_everything(visit, admin_user):
    assert scoping.visible_visits(admin_user).count() == 1
    _, access = scoping.get_client_or_404(admin_user, visit.client_id)
    assert access.grounds == "administrator"


def test_nonexistent_client_is_a_logged_denial(nurse):
    with pytest.raises(Http404):
        scoping.get_client_or_404(nurse.user, 999999)
    assert AccessLog.objects.filter(allowed=False, client__isnull=True).count() == 1

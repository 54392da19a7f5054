"""The rules PostgreSQL itself keeps (docs/rules.md rule 1 and the model's invariants).

These write rows the plain way, without any service, to show that the
database refuses what must never exist whoever writes it.
"""
import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from access.models import AccessLog
from clients.models import CareRelationship
from pairwork.models import Role, WorkPair
from tests import factories as f
from tests.factories import make_visit
from visits.models import Visit, VisitNote, VisitParticipant, VisitStatus

NINE = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0))


def refused(constraint: str):
    """Expect an IntegrityError naming this constraint, in a savepoint."""

    class _Refused:
        def __enter__(self):
            self.atomic = transaction.atomic()
            self.atomic.__enter__()

        def __exit__(self, exc_type, exc, tb):
            self.atomic.__exit__(exc_type, exc, tb)
            assert exc_type is IntegrityError, f"expected {constraint} to refuse the write"
            assert constraint in str(exc)
            return True

    return _Refused()


@pytest.fixture
def second_pair_same_nurse(pair):
    return f.WorkPairFactory(team=pair.team, nurse=pair.nurse)


@pytest.fixture
def second_pair_same_artist(pair):
    return f.WorkPairFactory(team=pair.team, artist=pair.artist)


def test_nurse_cannot_be_in_two_overlapping_visits(pair, second_pair_same_nurse):
    make_visit(pair=pair, starts_at=NINE)
    with refused("visitparticipant_person_no_overlap"):
        make_visit(pair=second_pair_same_nurse, starts_at=NINE + dt.timedelta(minutes=30))
    assert VisitParticipant.objects.filter(staff=pair.nurse).count() == 1


def test_artist_cannot_be_in_two_overlapping_visits(pair, second_pair_same_artist):
    make_visit(pair=pair, starts_at=NINE)
    with refused("visitparticipant_person_no_overlap"):
        make_visit(pair=second_pair_same_artist, starts_at=NINE - dt.timedelta(minutes=59))
    assert VisitParticipant.objects.filter(staff=pair.artist).count() == 1


def test_client_cannot_be_in_two_overlapping_visits(pair, client_record):
    other_pair = f.WorkPairFactory(team=pair.team)
    make_visit(pair=pair, client=client_record, starts_at=NINE)
    with refused("visit_client_no_overlap"):
        make_visit(pair=other_pair, client=client_record, starts_at=NINE + dt.timedelta(minutes=10), minutes=15)
    assert client_record.visits.count() == 1


def test_back_to_back_visits_are_accepted(pair, second_pair_same_nurse, client_record):
    make_visit(pair=pair, client=client_record, starts_at=NINE)
    make_visit(pair=second_pair_same_nurse, client=client_record, starts_at=NINE + dt.timedelta(hours=1))
    make_visit(pair=pair, client=client_record, starts_at=NINE - dt.timedelta(hours=1))
    assert VisitParticipant.objects.filter(staff=pair.nurse).count() == 3


def test_cancelled_visit_frees_its_slot(pair, second_pair_same_nurse):
    first = make_visit(pair=pair, starts_at=NINE)
    first.status = VisitStatus.CANCELLED
    first.cancellation_reason = "Asiakas sairaalassa"
    first.save(update_fields=["status", "cancellation_reason"])
    make_visit(pair=second_pair_same_nurse, starts_at=NINE)
    assert VisitParticipant.objects.filter(staff=pair.nurse, visit_active=True).count() == 1


def test_restoring_a_cancelled_visit_onto_a_taken_slot_is_refused(pair, second_pair_same_nurse):
    first = make_visit(pair=pair, starts_at=NINE, status=VisitStatus.CANCELLED, cancellation_reason="Muutos")
    make_visit(pair=second_pair_same_nurse, starts_at=NINE)
    first.status = VisitStatus.PLANNED
    with refused("visitparticipant_person_no_overlap"):
        first.save(update_fields=["status"])


def test_moving_a_visit_onto_a_busy_person_is_refused_by_the_database(pair, second_pair_same_nurse):
    make_visit(pair=pair, starts_at=NINE)
    later = make_visit(pair=second_pair_same_nurse, starts_at=NINE + dt.timedelta(hours=2))
    later.starts_at, later.ends_at = NINE + dt.timedelta(minutes=30), NINE + dt.timedelta(minutes=90)
    with refused("visitparticipant_person_no_overlap"):
        later.save(update_fields=["starts_at", "ends_at"])
    later.refresh_from_db()
    assert later.starts_at == NINE + dt.timedelta(hours=2)


def test_participant_copy_of_the_slot_follows_the_visit(pair):
    visit = make_visit(pair=pair, starts_at=NINE)
    visit.starts_at, visit.ends_at = NINE + dt.timedelta(days=1), NINE + dt.timedelta(days=1, hours=1)
    visit.save(update_fields=["starts_at", "ends_at"])
    for participant in visit.participants.all():
        assert (participant.during.lower, participant.during.upper) == (visit.starts_at, visit.ends_at)


def test_a_visit_carries_its_pairs_team_whatever_the_writer_says(pair, other_team):
    visit = make_visit(pair=pair, starts_at=NINE)
    visit.refresh_from_db()
    assert visit.team_id == pair.team_id
    Visit.objects.filter(pk=visit.pk).update(team=other_team)
    visit.refresh_from_db()
    assert visit.team_id == pair.team_id


def test_a_visit_moved_to_another_pair_takes_that_pairs_team(pair, other_team):
    visit = make_visit(pair=pair, starts_at=NINE)
    elsewhere = f.WorkPairFactory(team=other_team)
    Visit.objects.filter(pk=visit.pk).update(pair=elsewhere)
    visit.refresh_from_db()
    assert visit.team_id == other_team.pk


def test_a_pair_moved_to_another_team_takes_its_visits_along(pair, other_team):
    visit = make_visit(pair=pair, starts_at=NINE)
    WorkPair.objects.filter(pk=pair.pk).update(team=other_team)
    visit.refresh_from_db()
    assert visit.team_id == other_team.pk


def test_a_visit_must_end_after_it_starts(pair):
    with refused("visit_ends_after_start"):
        make_visit(pair=pair, starts_at=NINE, minutes=0)


def test_a_pair_of_two_nurses_is_refused(team):
    nurse_a, nurse_b = f.NurseFactory(team=team), f.NurseFactory(team=team)
    with refused("workpair_artist_has_artist_role"):
        WorkPair.objects.create(artist=nurse_a, nurse=nurse_b, team=team)
    assert not WorkPair.objects.exists()


def test_a_pair_whose_nurse_is_an_artist_is_refused(team):
    artist_a, artist_b = f.ArtistFactory(team=team), f.ArtistFactory(team=team)
    with refused("workpair_nurse_has_nurse_role"):
        WorkPair.objects.create(artist=artist_a, nurse=artist_b, team=team)


def test_role_of_someone_in_a_pair_cannot_change(pair):
    pair.nurse.role = Role.ARTIST
    with refused("workpair_nurse_has_nurse_role"):
        pair.nurse.save(update_fields=["role"])


def test_a_familiar_nurse_must_be_a_nurse(client_record, artist):
    with refused("carerelationship_nurse_has_nurse_role"):
        CareRelationship.objects.create(client=client_record, nurse=artist)


def test_a_client_has_one_primary_nurse(client_record, team):
    with refused("carerelationship_one_primary"):
        CareRelationship.objects.create(client=client_record, nurse=f.NurseFactory(team=team), is_primary=True)


def test_one_note_per_participant_per_visit(pair):
    participant = make_visit(pair=pair, starts_at=NINE).participants.get(role=Role.NURSE)
    fields = dict(activities="Laulettiin", engagement=4, mood_before=3, mood_after=4)
    VisitNote.objects.create(participant=participant, **fields)
    with refused("participant_id"):
        VisitNote.objects.create(participant=participant, **fields)


def test_a_cancellation_needs_a_reason(pair):
    visit = make_visit(pair=pair, starts_at=NINE)
    visit.status = VisitStatus.CANCELLED
    with refused("visit_cancel_has_reason"):
        visit.save(update_fields=["status"])


@pytest.mark.parametrize("statement", ["UPDATE clients_accesslog SET allowed = true", "DELETE FROM clients_accesslog"])
def test_the_access_log_refuses_update_and_delete(db, statement):
    AccessLog.objects.create(object_type="client", action="view", grounds="administrator", allowed=False)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AccessLog.objects.get().allowed is False


def test_btree_gist_is_installed(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'")
        assert cursor.fetchone() == (1,)

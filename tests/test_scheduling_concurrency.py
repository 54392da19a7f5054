"""Rule 1 under load: simultaneous bookings for one nurse, decided by PostgreSQL."""
from __future__ import annotations

import datetime as dt
import threading

from django.db import connection

from tests import factories as f
from tests.scheduling import at, next_weekday
from visits import services
from visits.client_absences import record_client_absence
from visits.models import AbsenceCancellation, ClientAbsence, Visit, VisitParticipant, VisitStatus

THREADS = 8


def test_eight_simultaneous_bookings_for_one_nurse_let_exactly_one_through(transactional_db):
    team = f.TeamFactory(name="Kallio")
    coordinator = f.CoordinatorFactory(team=team)
    nurse = f.NurseFactory(team=team, user__first_name="Hanna", user__last_name="Hoitaja")
    pairs = [f.WorkPairFactory(team=team, nurse=nurse) for _ in range(THREADS)]
    clients = [f.ClientFactory(team=team) for _ in range(THREADS)]
    monday = next_weekday(0)
    # Every request overlaps every other: starts 5 minutes apart, an hour long.
    requests = [at(monday, 10, 5 * i) for i in range(THREADS)]

    barrier = threading.Barrier(THREADS)
    outcomes: list = [None] * THREADS

    def book(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            services.schedule_visit(
                client=clients[i], pair=pairs[i], starts_at=requests[i], ends_at=requests[i] + dt.timedelta(hours=1),
                by=coordinator.user,
            )
            outcomes[i] = "booked"
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes.count("booked") == 1, outcomes
    refusals = [o for o in outcomes if o != "booked"]
    assert len(refusals) == THREADS - 1
    assert all(isinstance(o, services.SchedulingConflict) for o in refusals), refusals
    assert all("Hanna Hoitaja" in " ".join(o.messages) for o in refusals)
    assert Visit.objects.count() == 1
    assert VisitParticipant.objects.filter(staff=nurse).count() == 1
    winner = outcomes.index("booked")
    assert Visit.objects.get().client == clients[winner]


def test_an_absence_recorded_while_visits_are_booked_leaves_none_planned_inside_it(transactional_db):
    """Bookings and the absence take the same client lock: each booking lands before it (then it is cancelled) or after
    it (then refused); never a planned visit inside an absence."""
    team = f.TeamFactory(name="Vallila")
    coordinator = f.CoordinatorFactory(team=team)
    client = f.ClientFactory(team=team)
    pairs = [f.WorkPairFactory(team=team) for _ in range(THREADS - 1)]
    monday = next_weekday(0, weeks_ahead=2)
    barrier = threading.Barrier(THREADS)
    outcomes: list = [None] * THREADS

    def act(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            if i == THREADS - 1:
                record_client_absence(client=client, kind=ClientAbsence.Kind.HOSPITAL, starts_on=monday, ends_on=monday,
                                      reason="", by=coordinator.user)
                outcomes[i] = "absence"
            else:
                start = at(monday, 8 + i)
                services.schedule_visit(client=client, pair=pairs[i], starts_at=start,
                                        ends_at=start + dt.timedelta(hours=1), by=coordinator.user)
                outcomes[i] = "booked"
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes[-1] == "absence", outcomes
    refused = [o for o in outcomes[:-1] if o != "booked"]
    assert all(isinstance(o, services.SchedulingConflict) and o.clashes[0].kind == "absence" for o in refused), refused
    booked = outcomes.count("booked")
    assert Visit.objects.filter(client=client).count() == booked
    assert not Visit.objects.filter(client=client).exclude(status=VisitStatus.CANCELLED).exists()
    assert AbsenceCancellation.objects.count() == booked

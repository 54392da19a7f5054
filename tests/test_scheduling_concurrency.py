"""Rule 1 under load: simultaneous bookings for one nurse, decided by PostgreSQL."""
from __future__ import annotations

import datetime as dt
import threading

from django.db import connection

from tests import factories as f
from tests.scheduling import at, next_weekday
from visits import services
from visits.models import Visit, VisitParticipant

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

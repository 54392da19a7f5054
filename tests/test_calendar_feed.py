"""Each staff member's private iCalendar feed: secret, revocable, their own visits only."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.urls import reverse
from icalendar import Calendar

from tests import factories as f
from tests.conftest import login
from tests.factories import make_visit
from tests.scheduling import at, next_weekday
from visits.models import VisitStatus


def create_feed(client, person) -> str:
    login(client, person)
    response = client.post(reverse("visits:calendar_feed"), {"action": "create"})
    url = response.context["feed_url"]
    client.logout()
    return re.sub(r"^https?://[^/]+", "", url)


def test_the_feed_parses_and_holds_the_persons_visits_only(client, pair, nurse, client_record, team):
    monday = next_weekday(0)
    mine = make_visit(pair=pair, client=client_record, starts_at=at(monday, 10))
    also_mine = make_visit(pair=f.WorkPairFactory(team=team, nurse=nurse), starts_at=at(monday, 14))
    make_visit(pair=pair, client=client_record, starts_at=at(monday, 16), status=VisitStatus.CANCELLED, cancellation_reason="x")
    make_visit(pair=f.WorkPairFactory(team=team), client=client_record, starts_at=at(monday, 12))  # not hers
    path = create_feed(client, nurse)

    response = client.get(path)  # no login: calendar apps cannot log in

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert sorted(str(e["uid"]) for e in events) == sorted([f"visit-{mine.pk}@tyopari", f"visit-{also_mine.pk}@tyopari"])
    first = next(e for e in events if str(e["uid"]) == f"visit-{mine.pk}@tyopari")
    assert first.decoded("dtstart") == at(monday, 10)
    assert first.decoded("dtend") == at(monday, 11)
    assert str(first["summary"]) == "Joint visit with Aino Taiteilija"
    # Least data: nothing about the client leaves in the feed.
    body = response.content.decode()
    for secret in (client_record.first_name, client_record.last_name, client_record.street_address, client_record.health_notes):
        assert secret not in body


def test_only_the_hash_of_the_token_is_stored(client, nurse):
    path = create_feed(client, nurse)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    nurse.refresh_from_db()
    assert nurse.calendar_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in nurse.calendar_token_hash


def test_the_token_is_shown_once(client, nurse):
    create_feed(client, nurse)
    login(client, nurse)
    page = client.get(reverse("visits:calendar_feed"))
    assert page.context["feed_url"] is None and page.context["has_feed"]
    assert "/visits/feed/" not in page.content.decode()


def test_a_revoked_or_replaced_feed_stops_working(client, nurse):
    old = create_feed(client, nurse)
    new = create_feed(client, nurse)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200

    login(client, nurse)
    client.post(reverse("visits:calendar_feed"), {"action": "revoke"})
    client.logout()
    assert client.get(new).status_code == 404
    nurse.refresh_from_db()
    assert nurse.calendar_token_hash == ""


def test_a_guessed_token_gets_404(client, nurse):
    create_feed(client, nurse)
    assert client.get(reverse("visits:ical_feed", args=["guess"])).status_code == 404


def test_a_deactivated_account_has_no_feed(client, nurse):
    path = create_feed(client, nurse)
    nurse.user.is_active = False
    nurse.user.save()
    assert client.get(path).status_code == 404


def test_feed_times_are_utc_and_keep_the_local_wall_clock(client, pair, nurse, client_record):
    monday = next_weekday(0)
    make_visit(pair=pair, client=client_record, starts_at=at(monday, 10))
    path = create_feed(client, nurse)
    event = next(iter(Calendar.from_ical(client.get(path).content).walk("VEVENT")))
    start = event.decoded("dtstart")
    assert start.utcoffset() == dt.timedelta(0)
    assert start == at(monday, 10)

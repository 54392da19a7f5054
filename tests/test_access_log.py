"""The access log: one row per access, allowed or denied, append-only in the database, and who may read it."""
import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from access.models import AccessLog
from access.choices import Grounds
from access.log import log_access
from access.policy import Access
from tests.conftest import login


def log_url(client_record, **query):
    url = reverse("clients:access_log", args=[client_record.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def row(nurse, client_record):
    return log_access(
        user=nurse.user, client_id=client_record.pk, object_type="client", object_id=client_record.pk,
        action=AccessLog.Action.VIEW, access=Access(True, Grounds.VISIT_PARTICIPANT),
    )


# --- Append-only, kept by PostgreSQL ---------------------------------------------------------------


def test_update_of_a_log_row_fails_at_the_database(row):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(allowed=False, grounds="rewritten")

    assert AccessLog.objects.filter(pk=row.pk, allowed=True, grounds="visit participant").exists()


def test_delete_of_a_log_row_fails_at_the_database(row):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()

    assert AccessLog.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE clients_accesslog SET username = 'someone' WHERE id = %s", "DELETE FROM clients_accesslog WHERE id = %s"],
)
def test_raw_sql_cannot_rewrite_the_log_either(row, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [row.pk])

    assert AccessLog.objects.get(pk=row.pk).username == "hanna"


def test_saving_a_loaded_row_again_is_refused(row):
    row.grounds = "changed"

    with pytest.raises(DatabaseError), transaction.atomic():
        row.save()

    assert AccessLog.objects.get(pk=row.pk).grounds == "visit participant"


def test_the_admin_offers_no_way_to_change_or_delete_rows(client, row, admin_user):
    login(client, admin_user)

    change = client.post(reverse("admin:access_accesslog_change", args=[row.pk]), {"grounds": "x"})
    delete = client.post(reverse("admin:access_accesslog_delete", args=[row.pk]), {"post": "yes"})

    assert change.status_code == 403 and delete.status_code == 403
    assert AccessLog.objects.get(pk=row.pk).grounds == "visit participant"
    assert client.get(reverse("admin:access_accesslog_changelist")).status_code == 200


# --- One row per view, with its grounds -----------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "grounds"),
    [("artist", "visit participant"), ("nurse", "visit participant"), ("coordinator", "team coordinator"), ("admin_user", "administrator")],
)
def test_every_view_of_the_visit_writes_exactly_one_row_with_its_grounds(client, todays_visit, persona, grounds, request):
    person = request.getfixturevalue(persona)
    login(client, person)

    client.get(reverse("visits:detail", args=[todays_visit.pk]))
    client.get(reverse("visits:detail", args=[todays_visit.pk]))

    rows = AccessLog.objects.all()
    assert rows.count() == 2
    user = getattr(person, "user", person)
    for logged in rows:
        assert (logged.user, logged.client_id, logged.object_type, logged.object_id, logged.action, logged.grounds, logged.allowed) == (
            user, todays_visit.client_id, "visit", str(todays_visit.pk), "view", grounds, True,
        )


@pytest.mark.parametrize("persona", ["other_artist", "other_nurse", "other_coordinator", "manager"])
def test_a_denied_attempt_writes_one_denied_row(client, todays_visit, persona, request):
    login(client, request.getfixturevalue(persona))

    response = client.get(reverse("visits:detail", args=[todays_visit.pk]))

    assert response.status_code == 404
    logged = AccessLog.objects.get()
    assert (logged.client_id, logged.allowed, logged.grounds) == (todays_visit.client_id, False, "no relationship")


def test_a_missing_visit_is_a_denied_row_without_a_client(client, nurse):
    login(client, nurse)

    assert client.get(reverse("visits:detail", args=[987654])).status_code == 404

    logged = AccessLog.objects.get()
    assert (logged.client_id, logged.object_id, logged.allowed) == (None, "987654", False)


# --- Who accessed this client's data --------------------------------------------------------------


def at(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


@pytest.fixture
def history(client_record, nurse, other_nurse):
    def add(days_ago, user, allowed, grounds):
        return AccessLog.objects.create(
            at=at(days_ago), user=user.user, username=user.user.username, client_id=client_record.pk,
            object_type="client", object_id=str(client_record.pk), action="view", grounds=grounds, allowed=allowed,
        )

    return {
        "old": add(40, nurse, True, "visit participant"),
        "recent": add(5, nurse, True, "visit participant"),
        "denied": add(3, other_nurse, False, "no relationship"),
    }


def shown_ids(response):
    return [r["id"] for r in response.context["page"].object_list]


def test_the_teams_coordinator_sees_who_accessed_the_clients_data(client, history, client_record, coordinator):
    login(client, coordinator)

    response = client.get(log_url(client_record))

    assert response.status_code == 200
    own_view = AccessLog.objects.get(object_type="access log")
    assert shown_ids(response) == [own_view.pk, history["denied"].pk, history["recent"].pk, history["old"].pk]
    html = response.content.decode()
    assert "outi" in html and "denied" in html and "no relationship" in html


def test_reading_the_log_is_itself_one_logged_access(client, client_record, coordinator):
    login(client, coordinator)

    client.get(log_url(client_record))

    logged = AccessLog.objects.get()
    assert (logged.object_type, logged.action, logged.grounds, logged.allowed) == ("access log", "view", "team coordinator", True)


def test_the_log_is_filtered_by_date(client, history, client_record, admin_user):
    login(client, admin_user)
    since, until = timezone.localdate(at(10)), timezone.localdate(at(2))

    response = client.get(log_url(client_record, since=since.isoformat(), until=until.isoformat()))

    assert shown_ids(response) == [history["denied"].pk, history["recent"].pk]


def test_the_date_filter_includes_whole_local_days(client, client_record, nurse, admin_user):
    # 23:30 Helsinki time is still "that day" although it is 21:30 UTC.
    late = timezone.make_aware(dt.datetime(2026, 3, 10, 23, 30))
    logged = AccessLog.objects.create(
        at=late, username="hanna", client_id=client_record.pk, object_type="client", action="view",
        grounds="visit participant", allowed=True,
    )
    login(client, admin_user)

    response = client.get(log_url(client_record, since="2026-03-10", until="2026-03-10"))

    assert shown_ids(response) == [logged.pk]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"since": "yesterday"}, "since", "Enter a date, e.g. 2026-03-01."),
        ({"since": "2026-03-10", "until": "2026-03-01"}, "until", "The end date must be on or after the start date."),
    ],
)
def test_a_bad_date_gets_a_message_on_its_field(client, history, client_record, coordinator, query, field, message):
    login(client, coordinator)

    response = client.get(log_url(client_record, **query))

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]


@pytest.mark.parametrize("persona", ["nurse", "artist", "other_coordinator", "manager"])
def test_only_own_team_coordinators_and_administrators_read_the_log(client, history, client_record, persona, request):
    login(client, request.getfixturevalue(persona))
    before = AccessLog.objects.count()

    response = client.get(log_url(client_record))

    assert response.status_code == 404
    denied = AccessLog.objects.latest("id")
    assert AccessLog.objects.count() == before + 1
    assert (denied.object_type, denied.allowed) == ("access log", False)


def test_the_log_page_takes_a_fixed_number_of_queries(client, history, client_record, coordinator, django_assert_max_num_queries):
    login(client, coordinator)

    with django_assert_max_num_queries(9):
        client.get(log_url(client_record))


# --- The log speaks the reader's language ------------------------------------------------------------

@pytest.mark.parametrize(("language", "words"), [
    ("fi", ["osallistuu asiakkaan käynteihin", "käyntisarja", "rajapinta (API)", "asiakkaan tiimin palveluohjaaja",
            "käyttöloki"]),
    ("sv", ["deltar i klientens besök", "besöksserie", "gränssnitt (API)", "koordinator i klientens team"]),
    ("en", ["takes part in the client&#x27;s visits", "visit series", "API", "coordinator of the client&#x27;s team"]),
])
def test_the_log_page_shows_grounds_objects_and_channels_translated(
    settings, client, client_record, nurse, coordinator, language, words
):
    settings.LANGUAGE_CODE = language
    # Both spellings of a series that earlier versions wrote read the same.
    for object_type in ("visit series", "visit_series"):
        AccessLog.objects.create(
            user=nurse.user, username="hanna", client_id=client_record.pk, object_type=object_type, object_id="7",
            action="view", grounds="visit participant", allowed=True, channel="api",
        )
    login(client, coordinator)

    page = client.get(log_url(client_record)).content.decode()

    for word in words:
        assert word in page, word
    for code in ("visit_series", "visit participant", "team coordinator"):
        assert code not in page, code


def test_a_row_names_itself_in_the_readers_language_and_local_time(nurse, client_record):
    from django.utils import translation

    at = dt.datetime(2026, 7, 1, 9, 5, tzinfo=dt.timezone.utc)  # 12:05 in Helsinki (summer time)
    row = AccessLog.objects.create(
        user=nurse.user, username="hanna", client_id=client_record.pk, object_type="access log", object_id="1",
        action="view", grounds="visit participant", allowed=True, channel="web", at=at,
    )
    with translation.override("fi"):
        assert str(row) == "2026-07-01 12:05 hanna katsottu käyttöloki (sallittu)"


def test_a_long_log_lists_its_newest_thousand_and_points_to_the_dates_for_older_ones(client, client_record, nurse, coordinator):
    """Counting stops at 1 000 rows, so the page costs the same after years of reads; dates reach the rest."""
    old = [
        AccessLog(at=at(30) + dt.timedelta(seconds=n), user=nurse.user, username="hanna", client_id=client_record.pk,
                  object_type="client", action="view", grounds="visit participant", allowed=True, channel="web")
        for n in range(1005)
    ]
    AccessLog.objects.bulk_create(old)
    login(client, coordinator)

    response = client.get(log_url(client_record))

    page = response.content.decode()
    assert "More than 1000 entries: the newest 1000 are listed here; choose dates to see older ones." in page
    assert "Page 1 of 20" in page
    assert len(response.context["page"].object_list) == 50
    last = client.get(log_url(client_record, page=20))
    assert last.context["page"].number == 20 and len(last.context["page"].object_list) == 50
    # A period with fewer rows is counted exactly.
    day = timezone.localdate(at(40))
    assert "0 entries" in client.get(log_url(client_record, since=day.isoformat(), until=day.isoformat())).content.decode()
    assert AccessLog.objects.filter(client_id=client_record.pk).count() == 1005 + 3  # and each page read was logged

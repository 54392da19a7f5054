"""The page cache (access.page_cache): a person's page is served again only while no data has changed.

A change advances the data's generation when its transaction commits, so the
tests of changes commit for real (transaction=True). They turn the cache on,
which the rest of the suite runs without.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from access import page_cache
from access.models import AccessLog
from clients.models import Client
from pairwork import data_generation
from pairwork.api_tokens import issue_api_token, revoke_api_token
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


def served(client, url, **extra):
    """(status, 'hit'/'miss'/None, body) of a GET."""
    response = client.get(url, **extra)
    return response.status_code, response.headers.get(page_cache.HEADER), response.content


def warm(client, url):
    """The first GET sets the browser's CSRF cookie; the second is built and kept."""
    client.get(url)
    status, state, body = served(client, url)
    assert (status, state) == (200, "miss")
    return body


def log_rows(client_id):
    return list(AccessLog.objects.filter(client_id=client_id).order_by("id").values_list("user_id", "action", "allowed", "channel"))


def test_a_page_seen_again_is_the_kept_one_and_every_read_is_still_logged(client, coordinator, client_record):
    login(client, coordinator)
    url = reverse("clients:detail", args=[client_record.pk])
    built = warm(client, url)

    assert served(client, url) == (200, "hit", built)
    assert served(client, url) == (200, "hit", built)

    rows = log_rows(client_record.pk)
    assert len(rows) == 4  # the cookie-setting GET, the built one and the two kept ones
    assert set(rows) == {(coordinator.user_id, "view", True, "web")}


def test_a_list_served_again_logs_every_client_it_shows(client, nurse, todays_visit):
    login(client, nurse)
    url = reverse("visits:my_visits")
    warm(client, url)
    before = AccessLog.objects.filter(client_id=todays_visit.client_id).count()

    assert served(client, url)[1] == "hit"

    assert AccessLog.objects.filter(client_id=todays_visit.client_id).count() == before + 1


def rename(client_record, name, how):
    if how == "queryset update":
        Client.objects.filter(pk=client_record.pk).update(first_name=name)
    elif how == "save":
        client_record.first_name = name
        client_record.save()
    else:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE clients_client SET first_name = %s WHERE id = %s", [name, client_record.pk])


@pytest.mark.django_db(transaction=True)
def test_any_committed_change_is_shown_at_once_and_a_rolled_back_one_changes_nothing(client, coordinator, client_record):
    """Committed for real: an ORM save, a queryset update and raw SQL alike; inside a transaction only once it commits."""
    login(client, coordinator)
    url = reverse("clients:detail", args=[client_record.pk])
    built = warm(client, url)
    assert served(client, url) == (200, "hit", built)

    with pytest.raises(RuntimeError), transaction.atomic():
        rename(client_record, "Hilkka", "queryset update")
        raise RuntimeError("rolled back")
    assert served(client, url) == (200, "hit", built)

    for number, how in enumerate(["queryset update", "save", "raw SQL"]):
        name = f"Hilkka{'a' * number}x"
        with transaction.atomic():
            rename(client_record, name, how)
            # Not committed yet: the kept page is still what everyone else sees.
            assert served(client, url)[1] == "hit"
        status, state, body = served(client, url)
        assert (status, state) == (200, "miss"), how
        assert name in body.decode(), how
        assert served(client, url)[1] == "hit"

    rename(client_record, "Helka", "queryset update")  # autocommit: at once
    assert "Helka" in served(client, url)[2].decode()


def test_reading_the_log_does_not_count_as_a_change(client, coordinator, client_record):
    login(client, coordinator)
    url = reverse("clients:detail", args=[client_record.pk])
    warm(client, url)

    for _ in range(3):
        assert served(client, url)[1] == "hit"


def test_nobody_else_gets_a_kept_page(client, coordinator, other_coordinator, client_record):
    login(client, coordinator)
    url = reverse("clients:detail", args=[client_record.pk])
    warm(client, url)

    login(client, other_coordinator)
    status, state, body = served(client, url)

    assert status in (403, 404) and state is None
    assert "Esimerkki" not in body.decode()
    refused = AccessLog.objects.filter(client_id=client_record.pk, user=other_coordinator.user)
    assert list(refused.values_list("allowed", flat=True)) == [False]


def test_a_refusal_is_never_kept(client, other_coordinator, client_record):
    login(client, other_coordinator)
    url = reverse("clients:detail", args=[client_record.pk])
    for _ in range(3):
        status, state, _ = served(client, url)
        assert status in (403, 404) and state is None

    assert AccessLog.objects.filter(client_id=client_record.pk, allowed=False).count() == 3


def test_each_language_has_its_own_page(client, coordinator, client_record):
    login(client, coordinator)
    url = reverse("clients:detail", args=[client_record.pk])
    english = warm(client, url)

    status, state, finnish = served(client, url, HTTP_ACCEPT_LANGUAGE="fi")

    assert (status, state) == (200, "miss")
    assert finnish != english
    assert 'lang="fi"' in finnish.decode()


def test_a_flash_message_is_shown_once_and_never_kept(client, coordinator, client_record, rf):
    login(client, coordinator)
    url = reverse("clients:detail", args=[client_record.pk])
    warm(client, url)
    # A message waiting in its cookie, as after a saved form.
    client.cookies["messages"] = CookieStorage(rf.get("/"))._encode([Message(constants.SUCCESS, "Tallennettu hetki sitten")])

    status, state, body = served(client, url)
    assert state is None and "Tallennettu hetki sitten" in body.decode()

    status, state, body = served(client, url)
    assert "Tallennettu hetki sitten" not in body.decode()


def test_a_post_is_never_served_from_the_cache(client, coordinator, client_record):
    login(client, coordinator)
    url = reverse("clients:detail", args=[client_record.pk])
    warm(client, url)

    response = client.post(url)

    assert response.headers.get(page_cache.HEADER) is None


def test_with_redis_unreachable_pages_are_built_and_logged(client, coordinator, client_record, redis_unreachable, settings):
    settings.PAGE_CACHE = True
    login(client, coordinator)
    url = reverse("clients:detail", args=[client_record.pk])

    for _ in range(3):
        status, state, body = served(client, url)
        assert status == 200 and "Esimerkki" in body.decode()
        assert state != "hit"

    assert AccessLog.objects.filter(client_id=client_record.pk).count() == 3


def api_get(client, url, raw):
    response = client.get(url, HTTP_AUTHORIZATION=f"Token {raw}")
    return response.status_code, response.headers.get(page_cache.HEADER), response.content


@pytest.mark.django_db(transaction=True)
def test_an_api_list_is_kept_per_caller_and_still_checks_the_token(client, coordinator, client_record):
    token, raw = issue_api_token(user=coordinator.user, name="integration")
    url = "/api/v1/clients/"
    status, state, built = api_get(client, url, raw)
    assert (status, state) == (200, "miss")
    assert api_get(client, url, raw) == (200, "hit", built)
    assert AccessLog.objects.filter(client_id=client_record.pk, channel="api").count() == 2

    revoke_api_token(token=token)

    assert api_get(client, url, raw)[0] == 401
    # A deactivated owner's other token likewise, at once.
    _, other = issue_api_token(user=coordinator.user, name="second")
    assert api_get(client, url, other)[0] == 200
    type(coordinator.user).objects.filter(pk=coordinator.user_id).update(is_active=False)
    assert api_get(client, url, other)[0] == 401


@pytest.mark.django_db(transaction=True)
def test_an_api_list_shows_a_change_at_once(client, coordinator, client_record):
    _, raw = issue_api_token(user=coordinator.user, name="integration")
    url = "/api/v1/clients/"
    api_get(client, url, raw)
    assert api_get(client, url, raw)[1] == "hit"

    with transaction.atomic():
        Client.objects.filter(pk=client_record.pk).update(first_name="Hilkka")

    status, state, body = api_get(client, url, raw)
    assert (status, state) == (200, "miss") and b"Hilkka" in body


def test_off_means_off(client, coordinator, client_record, settings):
    settings.PAGE_CACHE = False
    login(client, coordinator)
    url = reverse("clients:detail", args=[client_record.pk])
    for _ in range(3):
        assert served(client, url)[1] is None


@pytest.mark.parametrize("sql, changes", [
    ('INSERT INTO "visits_visit" ("client_id") VALUES (1)', True),
    ('UPDATE "clients_client" SET "first_name" = %s', True),
    ("DELETE FROM wellbeing_cell WHERE id = 1", True),
    ("WITH moved AS (UPDATE visits_visit SET status = 'x' RETURNING id) SELECT count(*) FROM moved", True),
    ("TRUNCATE visits_visit", True),
    ('SELECT "clients_client"."id" FROM "clients_client"', False),
    ("SELECT nextval('access_page_generation')", False),
    ("INSERT INTO clients_accesslog (at, user_id) SELECT %s, * FROM unnest(%s::bigint[])", False),
    ('UPDATE "django_session" SET "session_data" = %s', False),
    ('INSERT INTO "axes_accessattempt" ("username") VALUES (%s)', False),
    ('UPDATE "pairwork_apitoken" SET "last_used_at" = %s WHERE id = 1', False),
    ('UPDATE "pairwork_apitoken" SET "revoked_at" = %s WHERE id = 1', True),
])
def test_which_statements_count_as_a_change(sql, changes):
    assert data_generation.changes_data(sql) is changes


# --- The access-log page: kept as a frame, its entries read anew ------------------------------------

def log_page_rows(body: bytes) -> int:
    return body.count(b"<tr") - 1  # the header row


def old_reads(client_record, user, count, *, minutes_ago=90):
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    AccessLog.objects.bulk_create(
        AccessLog(at=at - dt.timedelta(seconds=index), user=user.user, username=user.user.username,
                  client_id=client_record.pk, object_type="client", object_id=str(client_record.pk), action="view",
                  grounds="visit participant", allowed=True)
        for index in range(count)
    )


def test_the_access_log_page_is_kept_as_a_frame_and_still_lists_every_read_its_own_first(
    client, coordinator, nurse, client_record
):
    old_reads(client_record, nurse, 3)
    login(client, coordinator)
    url = reverse("clients:access_log", args=[client_record.pk])
    built = warm(client, url)
    assert log_page_rows(built) == 5  # three old reads, the cookie-setting GET, this one

    status, state, body = served(client, url)

    assert (status, state) == (200, "hit")
    total = AccessLog.objects.filter(client_id=client_record.pk).count()
    assert total == 6 and log_page_rows(body) == 6
    assert f"{total} entries".encode() in body
    newest = AccessLog.objects.filter(client_id=client_record.pk).latest("at", "id")
    assert (newest.user_id, newest.object_type, newest.channel) == (coordinator.user_id, "access log", "web")
    at = timezone.localtime(newest.at)
    first_row = body[body.index(b"<tbody>"):].split(b"</tr>")[0]
    assert f"{at:%H:%M:%S}".encode() in first_row  # the page lists its own read, first


def test_a_read_by_someone_else_is_on_the_kept_access_log_page_at_once(client, coordinator, nurse, client_record):
    login(client, coordinator)
    url = reverse("clients:access_log", args=[client_record.pk])
    warm(client, url)
    AccessLog.objects.create(user=nurse.user, username=nurse.user.username, client_id=client_record.pk,
                             object_type="client", object_id=str(client_record.pk), action="view",
                             grounds="visit participant", allowed=True)

    status, state, body = served(client, url)

    assert (status, state) == (200, "hit")
    assert nurse.user.username.encode() in body
    assert log_page_rows(body) == AccessLog.objects.filter(client_id=client_record.pk).count() == 4


def test_the_kept_access_log_page_pages_and_caps_its_count_like_a_built_one(client, coordinator, nurse, client_record):
    old_reads(client_record, nurse, 60)
    login(client, coordinator)
    url = reverse("clients:access_log", args=[client_record.pk])
    warm(client, url)

    status, state, body = served(client, url)

    assert (status, state) == (200, "hit")
    assert log_page_rows(body) == 50
    assert b"63 entries" in body and b"Page 1 of 2" in body
    older = client.get(url, {"page": 2})
    assert len(older.context["page"].object_list) == 14  # the 64th row: this page's own read

    old_reads(client_record, nurse, 1000, minutes_ago=200)
    cache.clear()
    assert served(client, url)[1] == "miss"
    status, state, body = served(client, url)
    assert (status, state) == (200, "hit") and b"More than 1000 entries" in body


def test_a_kept_access_log_page_takes_a_fixed_number_of_queries(
    client, coordinator, nurse, client_record, django_assert_num_queries
):
    old_reads(client_record, nurse, 60)
    login(client, coordinator)
    url = reverse("clients:access_log", args=[client_record.pk])
    warm(client, url)

    # The session with the data's generation, the page's own read written, the entries of the last minutes.
    with django_assert_num_queries(3):
        assert served(client, url)[1] == "hit"


def test_a_filtered_or_refused_access_log_page_is_never_kept(client, coordinator, other_coordinator, client_record):
    login(client, coordinator)
    url = reverse("clients:access_log", args=[client_record.pk])
    client.get(url)
    filtered = {"since": timezone.localdate().isoformat()}
    assert [client.get(url, filtered).headers.get(page_cache.HEADER) for _ in range(2)] == [None, None]
    assert [client.get(url, {"page": "1"}).headers.get(page_cache.HEADER) for _ in range(2)] == [None, None]

    login(client, other_coordinator)
    client.get(url)
    assert [served(client, url)[:2] for _ in range(2)] == [(404, None), (404, None)]


def test_a_frame_past_the_cap_since_its_moment_stops_counting(client_record, nurse):
    """A client read more than the cap since a frame was built: the first fill counts, later ones need not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clients import privacy_views

    since = timezone.now() - dt.timedelta(minutes=30)  # the reads below span about 17 minutes before now
    old_reads(client_record, nurse, privacy_views.COUNTED_ROWS + 5, minutes_ago=0)
    frame = b"<!--live:caption--><!--live:rows--><!--live:pagination-->"
    part = {"client_pk": client_record.pk, "since": since, "older": 0, "rows": []}
    privacy_views._PAST_CAP.clear()
    with CaptureQueriesContext(connection) as first:
        filled = privacy_views._fill_newest(part, frame).decode()
    with CaptureQueriesContext(connection) as second:
        again = privacy_views._fill_newest(part, frame).decode()
    assert "count(*)" in first[-1]["sql"] and "count(*)" not in second[-1]["sql"]
    assert "More than 1000 entries" in filled and again == filled


@pytest.fixture
def kept_in_the_worker(settings):
    """Each worker's own memory in front of the shared cache, as in production (off in the other tests)."""
    from django.core.cache import caches

    settings.PAGE_CACHE_LOCAL_ENTRIES = 300
    caches["local"].clear()
    yield caches["local"]
    caches["local"].clear()


@pytest.mark.django_db(transaction=True)
def test_a_page_kept_in_the_workers_memory_is_served_without_the_shared_cache_until_a_change(
    client, coordinator, client_record, kept_in_the_worker
):
    login(client, coordinator)
    url = reverse("clients:detail", args=[client_record.pk])
    built = warm(client, url)
    cache.clear()  # the shared cache forgets it; this worker still has it
    assert served(client, url) == (200, "hit", built)
    assert len(log_rows(client_record.pk)) == 3  # every read still logged

    rename(client_record, "Hilkka", "queryset update")
    status, state, body = served(client, url)
    assert (status, state) == (200, "miss") and "Hilkka" in body.decode()
    cache.clear()
    assert served(client, url) == (200, "hit", body)
    assert len(log_rows(client_record.pk)) == 5


def test_with_redis_unreachable_a_worker_serves_what_it_kept_and_logs_every_read(
    client, coordinator, client_record, redis_unreachable, kept_in_the_worker, settings
):
    settings.PAGE_CACHE = True
    login(client, coordinator)
    url = reverse("clients:detail", args=[client_record.pk])
    built = warm(client, url)
    for _ in range(2):
        assert served(client, url) == (200, "hit", built)
    assert AccessLog.objects.filter(client_id=client_record.pk).count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_token_kept_in_the_workers_memory_is_refused_at_once_when_revoked(
    client, coordinator, client_record, kept_in_the_worker
):
    token, raw = issue_api_token(user=coordinator.user, name="integration")
    url = "/api/v1/clients/"
    assert api_get(client, url, raw)[:2] == (200, "miss")
    cache.clear()
    assert api_get(client, url, raw)[:2] == (200, "hit")
    revoke_api_token(token=token)
    assert api_get(client, url, raw)[0] == 401

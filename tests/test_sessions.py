"""pairwork.sessions: the database session backend with its read written once."""
import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pairwork import data_generation
from pairwork.sessions import SessionStore
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_a_saved_session_reads_back_and_an_expired_or_unknown_one_is_empty():
    store = SessionStore()
    store["team"] = 7
    store.save()

    assert SessionStore(store.session_key).load() == {"team": 7}

    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None



def test_reading_the_session_brings_the_data_generation_along(client, coordinator, settings):
    """The page cache keys a signed-in page by the generation: it comes in the session's own round trip."""
    settings.PAGE_CACHE = True
    cache.clear()
    login(client, coordinator)
    client.get(reverse("home"))  # the CSRF cookie
    client.get(reverse("home"))  # built and kept
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))

    assert response.headers.get("X-Page-Cache") == "hit"
    statements = [query["sql"] for query in captured.captured_queries]
    assert data_generation.CURRENT in statements[0] and "django_session" in statements[0]
    assert not any("data_generation" in sql for sql in statements[1:])
    cache.clear()

"""pairwork.sessions: the database session backend with its read written once."""
import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from pairwork.sessions import SessionStore

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

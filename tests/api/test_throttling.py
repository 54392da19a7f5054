"""API clients are throttled: past the rate, 429 with Retry-After."""
from __future__ import annotations

import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import SimpleRateThrottle

from pairwork.env import ENV

TEAMS = "/api/v1/teams/"


def test_a_token_client_past_its_rate_gets_429(monkeypatch, token_client, coordinator, team):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    client = token_client(coordinator)
    assert [client.get(TEAMS).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(TEAMS)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_rates_are_counted_per_user(monkeypatch, token_client, coordinator, nurse, team):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "1/minute", "anon": "1/minute"})
    assert token_client(coordinator).get(TEAMS).status_code == 200
    assert token_client(nurse).get(TEAMS).status_code == 200


def test_configured_rates_come_from_the_environment_declaration(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates == {"anon": ENV["API_ANON_RATE"].read(), "user": ENV["API_USER_RATE"].read()}


def test_a_malformed_rate_in_the_environment_fails_loudly(monkeypatch):
    monkeypatch.setenv("API_USER_RATE", "lots")
    with pytest.raises(ImproperlyConfigured, match="API_USER_RATE"):
        ENV["API_USER_RATE"].read()
    monkeypatch.setenv("API_USER_RATE", "120/minute")
    assert ENV["API_USER_RATE"].read() == "120/minute"


def test_a_new_window_lets_the_caller_in_again_and_the_count_is_one_small_number(monkeypatch, token_client, coordinator, team):
    from django.core.cache import cache

    from pairwork import throttles

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": "2/minute"})
    now = [600.0]
    monkeypatch.setattr(throttles._FixedWindow, "timer", lambda self: now[0], raising=False)
    client = token_client(coordinator)
    assert [client.get(TEAMS).status_code for _ in range(3)] == [200, 200, 429]
    assert cache.get(f"throttle_user_{coordinator.user_id}:10") == 3  # a counter, not a list of times

    now[0] = 659.0  # the same window: still refused, told to wait the second that is left
    refused = client.get(TEAMS)
    assert refused.status_code == 429 and refused["Retry-After"] == "1"
    now[0] = 660.0  # the next minute
    assert client.get(TEAMS).status_code == 200


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis (REDIS_URL); CI has one")
def test_with_redis_a_window_is_one_counter_that_expires(redis_at, monkeypatch, token_client, coordinator, team):
    from django.core.cache import cache

    redis_at(os.environ["REDIS_URL"])
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": "2/minute"})
    client = token_client(coordinator)

    assert [client.get(TEAMS).status_code for _ in range(3)] == [200, 200, 429]
    keys = [key for key in cache._cache.get_client(None).keys("*throttle_user_*")]
    assert len(keys) == 1
    assert int(cache._cache.get_client(None).get(keys[0])) == 3
    assert 0 < cache._cache.get_client(None).ttl(keys[0]) <= 61
    cache.clear()

"""API test helpers: clients signed in as a persona (session) or holding a token."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from pairwork.api_tokens import issue_api_token


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Throttle counters live in the cache; each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def api_as(db):
    """`api_as(persona)`: an API client signed in (session) as that staff profile or user."""

    def signed_in(profile_or_user) -> APIClient:
        client = APIClient()
        client.force_login(getattr(profile_or_user, "user", profile_or_user))
        return client

    return signed_in


@pytest.fixture
def token_client(db):
    """`token_client(persona)`: an API client sending a real token owned by that persona."""

    def with_token(profile_or_user) -> APIClient:
        _, raw = issue_api_token(user=getattr(profile_or_user, "user", profile_or_user), name="Test system")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    return with_token

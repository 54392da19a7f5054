"""API tokens: issued by administrators, stored hashed, usable until revoked."""
from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from pairwork.api_tokens import issue_api_token, revoke_api_token
from pairwork.models import ApiToken
from tests.factories import UserFactory

TEAMS = "/api/v1/teams/"


def _client_with(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_anonymous_caller_gets_401_with_the_token_challenge(api, team):
    response = api.get(TEAMS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_valid_token_acts_as_its_owner_and_notes_when_it_was_used(coordinator, team):
    token, raw = issue_api_token(user=coordinator.user, name="Client register")
    response = _client_with(raw).get(TEAMS)
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Kallio"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_wrong_token_is_refused(coordinator, team):
    issue_api_token(user=coordinator.user, name="Client register")
    response = _client_with("tp_not-the-key").get(TEAMS)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_a_revoked_token_is_refused(coordinator, team):
    token, raw = issue_api_token(user=coordinator.user, name="Client register")
    assert _client_with(raw).get(TEAMS).status_code == 200
    revoke_api_token(token=token)
    assert _client_with(raw).get(TEAMS).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_revoking_twice_keeps_the_first_revocation_time(coordinator):
    token, _ = issue_api_token(user=coordinator.user, name="Client register")
    first = revoke_api_token(token=token).revoked_at
    assert revoke_api_token(token=token).revoked_at == first


def test_the_token_of_a_deactivated_owner_is_refused(coordinator, team):
    _, raw = issue_api_token(user=coordinator.user, name="Client register")
    coordinator.user.is_active = False
    coordinator.user.save(update_fields=["is_active"])
    assert _client_with(raw).get(TEAMS).status_code == 401


def test_a_malformed_authorization_header_is_refused(coordinator, team):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token two parts")
    assert client.get(TEAMS).status_code == 401


def test_a_token_owner_without_a_role_gets_403(db, team):
    _, raw = issue_api_token(user=UserFactory(username="norole"), name="Nobody")
    assert _client_with(raw).get(TEAMS).status_code == 403


def test_only_the_sha256_of_the_token_is_stored(coordinator):
    token, raw = issue_api_token(user=coordinator.user, name="Client register")
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix) and len(token.prefix) < len(raw)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM pairwork_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert raw not in stored


def test_the_database_refuses_a_raw_key_in_the_hash_column(coordinator):
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(user=coordinator.user, name="Bad", prefix="tp_x", key_hash="tp_" + "a" * 61)


def test_create_api_token_command_prints_the_key_once_and_stores_its_hash(coordinator, capsys, team):
    call_command("create_api_token", "kaisa", name="Reporting")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.get(name="Reporting")
    assert (token.user, token.key_hash) == (coordinator.user, hashlib.sha256(raw.encode()).hexdigest())
    assert _client_with(raw).get(TEAMS).status_code == 200


def test_administrator_creates_a_token_in_the_admin_and_sees_the_key_once(client, admin_user, coordinator, team):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:pairwork_apitoken_add"), {"name": "Client register", "user": coordinator.user.pk}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"] if "copy it now" in str(m)]
    assert len(shown) == 1
    raw = shown[0].split(": ", 1)[1].split(" — ")[0]
    assert hashlib.sha256(raw.encode()).hexdigest() == token.key_hash
    assert token.created_by == admin_user
    # Shown once: the next page no longer carries it.
    again = client.get(reverse("admin:pairwork_apitoken_change", args=[token.pk]))
    assert raw not in again.content.decode()


def test_administrator_revokes_tokens_with_the_admin_action(client, admin_user, coordinator, team):
    token, raw = issue_api_token(user=coordinator.user, name="Client register")
    client.force_login(admin_user)
    client.post(
        reverse("admin:pairwork_apitoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _client_with(raw).get(TEAMS).status_code == 401


def test_replacing_a_token_revokes_the_old_key_and_shows_a_new_one(client, admin_user, coordinator, team):
    old, old_raw = issue_api_token(user=coordinator.user, name="Client register")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:pairwork_apitoken_changelist"),
        {"action": "replace_selected", "_selected_action": [old.pk]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    new_raw = next(m for m in shown if "copy it now" in m).split(": ", 1)[1].split(" — ")[0]
    assert _client_with(old_raw).get(TEAMS).status_code == 401
    assert _client_with(new_raw).get(TEAMS).status_code == 200
    assert ApiToken.objects.filter(name="Client register", revoked_at__isnull=True).count() == 1


def test_staff_who_are_not_administrators_cannot_open_the_token_admin(client, coordinator):
    client.force_login(coordinator.user)
    response = client.get(reverse("admin:pairwork_apitoken_changelist"))
    assert response.status_code == 302


def test_a_session_write_without_the_csrf_token_is_refused(coordinator, team):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(coordinator.user)
    response = browser.post("/api/v1/clients/", {"first_name": "Aili"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_token_write_needs_no_csrf_token(coordinator, team):
    _, raw = issue_api_token(user=coordinator.user, name="Client register")
    system = APIClient(enforce_csrf_checks=True)
    system.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = system.post("/api/v1/clients/", {"first_name": "Aili"})
    assert response.status_code == 400  # validated, not refused for CSRF
    assert "last_name" in response.json()

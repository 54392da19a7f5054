"""Sign-in protection behind the TLS proxy: per account and address, per account across addresses, reset mails."""
from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from pairwork.client_address import client_address
from tests import factories as f

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # every request connects from the TLS proxy


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def sign_in_from(client, address: str, username: str, password: str = f.PASSWORD):
    return client.post(
        reverse("login"), {"username": username, "password": password},
        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address,
    )


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


# --- Whose address ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", PROXY),  # no proxy configured: the header is the client's own claim
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "192.0.2.99, 203.0.113.7", "203.0.113.7"),  # the left entry was written by the client
        (2, "192.0.2.99, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "203.0.113.7"),  # fewer hops than proxies: the outermost one's view
        (1, "not-an-address", PROXY),
        (1, "", PROXY),
    ],
)
def test_the_client_address_is_the_one_our_outermost_trusted_proxy_saw(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected


# --- Per account and address -----------------------------------------------------------------------


def test_behind_one_proxy_failures_for_one_user_do_not_lock_another(client, nurse, artist):
    for _ in range(5):
        sign_in_from(client, "203.0.113.7", "hanna", "wrong-guess")
    assert sign_in_from(client, "203.0.113.7", "hanna").status_code == 429

    other_user = sign_in_from(client, "198.51.100.20", "aino")

    assert other_user.status_code == 302
    assert signed_in_user_id(client) == str(artist.user.pk)
    attempt = AccessAttempt.objects.get(username="hanna")
    assert attempt.ip_address == "203.0.113.7"  # recorded against the attacker, not the proxy
    assert not AccessAttempt.objects.filter(username="aino").exists()


def test_behind_one_proxy_the_locked_user_still_signs_in_from_her_own_address(client, nurse):
    for _ in range(5):
        sign_in_from(client, "203.0.113.7", "hanna", "wrong-guess")

    response = sign_in_from(client, "198.51.100.9", "hanna")

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(nurse.user.pk)
    assert AccessAttempt.objects.filter(username="hanna", ip_address="203.0.113.7").exists()


def test_a_client_cannot_choose_its_address_by_writing_the_header_itself(client, nurse):
    for guess in range(5):
        sign_in_from(client, f"192.0.2.{guess}, 203.0.113.7", "hanna", "wrong-guess")

    assert sign_in_from(client, "192.0.2.200, 203.0.113.7", "hanna").status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.7"]


def test_without_a_trusted_proxy_the_header_is_ignored(client, settings, nurse):
    settings.TRUSTED_PROXY_COUNT = 0
    for guess in range(5):
        sign_in_from(client, f"203.0.113.{guess}", "hanna", "wrong-guess")

    assert sign_in_from(client, "198.51.100.9", "hanna").status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]


# --- Per account, across addresses -----------------------------------------------------------------


def test_the_per_account_limit_holds_across_addresses(client, nurse):
    # Four guesses from each address stay under the per-address limit of five ...
    answers = [
        sign_in_from(client, f"203.0.113.{address}", "hanna", "wrong-guess").status_code
        for address in range(1, 5) for _ in range(4)
    ]
    # ... but the tenth failure on the account locks it everywhere.
    assert answers[:9] == [200] * 9
    assert set(answers[9:]) == {429}

    from_elsewhere = sign_in_from(client, "198.51.100.9", "hanna")

    assert from_elsewhere.status_code == 429
    assert signed_in_user_id(client) is None
    page = from_elsewhere.content.decode()
    assert "failed 10 times from different places, so it is locked everywhere" in page
    assert "Try again in 15 minutes." in page
    assert sum(AccessAttempt.objects.filter(username="hanna").values_list("failures_since_start", flat=True)) == 17


def test_the_account_lock_lifts_after_its_cool_off(client, nurse):
    for address in range(1, 4):
        for _ in range(4):
            sign_in_from(client, f"203.0.113.{address}", "hanna", "wrong-guess")
    assert sign_in_from(client, "198.51.100.9", "hanna").status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    response = sign_in_from(client, "198.51.100.9", "hanna")

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(nurse.user.pk)


def test_the_account_limit_does_not_touch_other_accounts(client, nurse, artist):
    for address in range(1, 4):
        for _ in range(4):
            sign_in_from(client, f"203.0.113.{address}", "hanna", "wrong-guess")

    assert sign_in_from(client, "203.0.113.1", "aino").status_code == 302


# --- Password reset ------------------------------------------------------------------------------------


def ask_for_reset(client, email: str, address: str = "203.0.113.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def test_the_login_page_links_to_the_password_reset(client):
    page = client.get(reverse("login")).content.decode()

    assert reverse("password_reset") in page


def test_a_reset_request_sends_one_mail_and_shows_the_same_page_for_unknown_addresses(client, nurse):
    nurse.user.email = "hanna@example.invalid"
    nurse.user.save(update_fields=["email"])

    known = ask_for_reset(client, "hanna@example.invalid")
    unknown = ask_for_reset(client, "nobody@example.invalid", address="203.0.113.8")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert [message.to for message in mail.outbox] == [["hanna@example.invalid"]]


def test_one_address_may_ask_for_five_resets_an_hour_then_gets_an_error_on_the_field(client, nurse):
    for number in range(5):
        assert ask_for_reset(client, f"someone{number}@example.invalid").status_code == 302

    sixth = ask_for_reset(client, "hanna@example.invalid")

    assert sixth.status_code == 429
    assert "Too many password reset requests from your address" in sixth.content.decode()
    assert sixth.context["form"].errors["email"]
    assert mail.outbox == []
    assert ask_for_reset(client, "someone@example.invalid", address="198.51.100.9").status_code == 302


def test_one_mailbox_gets_at_most_three_reset_mails_an_hour_whoever_asks(client, nurse):
    nurse.user.email = "hanna@example.invalid"
    nurse.user.save(update_fields=["email"])

    answers = [ask_for_reset(client, "Hanna@Example.invalid", address=f"203.0.113.{n}") for n in range(5)]

    assert {answer.status_code for answer in answers} == {302}
    assert {answer["Location"] for answer in answers} == {reverse("password_reset_done")}
    assert len(mail.outbox) == 3


def test_with_redis_unreachable_a_reset_mail_still_goes_out(client, settings, nurse):
    """The counters live in the cache; a cache that cannot answer lets the request through with a warning."""
    settings.CACHES = {"default": {
        "BACKEND": "pairwork.redis_outage.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }}
    nurse.user.email = "hanna@example.invalid"
    nurse.user.save(update_fields=["email"])

    response = ask_for_reset(client, "hanna@example.invalid")

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["hanna@example.invalid"]]

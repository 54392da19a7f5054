"""Guessing passwords is slowed down without letting anyone lock other people out.

Two limits, both kept by django-axes' database records of failed sign-ins:

- per account and address: LOGIN_FAILURES_PER_ADDRESS (axes' own
  AXES_FAILURE_LIMIT) wrong passwords from one address lock that account on
  that address for AXES_COOLOFF_TIME. The address is the client's, taken from
  the trusted proxy's X-Forwarded-For (pairwork.client_address), so an
  attacker behind the same proxy as everyone else locks only themselves.
- per account, across addresses: LOGIN_FAILURES_PER_ACCOUNT failures within
  LOGIN_ACCOUNT_COOLOFF from anywhere lock the account everywhere for that
  long. This stops a guesser who rotates addresses; the cool-off is short so
  that the same trick used against a colleague costs them minutes, not the day.

Password reset e-mails are limited per address and per e-mail address
(`password_reset_allowed`), so the form can be used neither to guess which
addresses have accounts at speed nor to flood someone's inbox.
"""
from __future__ import annotations

import hashlib
import logging

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pairwork.client_address import client_address

logger = logging.getLogger(__name__)

ACCOUNT_LOCK = "tyopari_account_locked"  # request attribute: the lock is account-wide


def account_failures(username: str | None, *, now=None) -> int:
    """Failed sign-ins for the account from every address, on records touched within the account cool-off."""
    if not username:
        return 0
    since = (now or timezone.now()) - settings.LOGIN_ACCOUNT_COOLOFF
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


class AccountAndAddressLockout(AxesDatabaseHandler):
    """Axes' database handler plus the per-account limit across addresses."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return self._account_limit_reached(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self._account_limit_reached(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes", request=request, username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    @staticmethod
    def _account_limit_reached(request, credentials) -> bool:
        username = get_client_username(request, credentials)
        if account_failures(username, now=getattr(request, "axes_attempt_time", None)) < settings.LOGIN_FAILURES_PER_ACCOUNT:
            return False
        setattr(request, ACCOUNT_LOCK, True)
        return True


def lockout_response(request: HttpRequest, credentials=None) -> HttpResponse:
    """The lockout page, saying which of the two limits was reached and for how long."""
    account_wide = getattr(request, ACCOUNT_LOCK, False)
    context = {
        "account_wide": account_wide,
        "failure_limit": settings.LOGIN_FAILURES_PER_ACCOUNT if account_wide else settings.AXES_FAILURE_LIMIT,
        "cooloff_timedelta": settings.LOGIN_ACCOUNT_COOLOFF if account_wide else get_cool_off(request),
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)


# --- Password reset --------------------------------------------------------------------------------


def _count_within_the_hour(key: str) -> int:
    """This request's number in a fixed one-hour window for `key`.

    The counter lives in the cache (Redis in production, shared by every
    process). If the cache is unreachable the request is let through with a
    warning: a reset mail is worth more than a perfect count while Redis is down.
    """
    try:
        cache.add(key, 0, timeout=60 * 60)
        return cache.incr(key)
    except Exception:  # noqa: BLE001 - any cache failure: fail open, loudly
        logger.warning("password reset rate limit skipped: the cache is unavailable")
        return 0


def password_reset_allowed(request: HttpRequest, email: str) -> tuple[bool, bool]:
    """(address_allowed, mail_allowed) for one reset request.

    An address over its hourly limit is told so; an e-mail address over its
    limit gets no more mail, but the page looks the same as for any other
    request so that nobody learns whether it has an account.
    """
    address_count = _count_within_the_hour(f"password-reset:address:{client_address(request)}")
    if address_count > settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR:
        return False, False
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    mail_count = _count_within_the_hour(f"password-reset:email:{digest}")
    return True, mail_count <= settings.PASSWORD_RESETS_PER_EMAIL_PER_HOUR

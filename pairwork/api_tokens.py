"""Issuing, revoking and recognising the API tokens of other systems.

A token is shown once, when it is issued; the database keeps only its
SHA-256, so a leaked database does not leak working keys. SHA-256 without
salt is enough here (unlike for passwords) because the key is 256 bits of
randomness: there is nothing to guess.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import data_generation, kept
from .auth_backends import team_ids_of
from .models import ApiToken

TOKEN_PREFIX = "tp_"
PREFIX_LENGTH = 10
# Writing last_used_at on every request would turn each read into a write;
# a few minutes of precision is all an administrator needs to spot a dead token.
LAST_USED_PRECISION = dt.timedelta(minutes=5)
KEPT_SECONDS = 120  # a kept token lookup lives at most this long (changes made outside Django)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_api_token(*, user, name: str, by=None) -> tuple[ApiToken, str]:
    """Create a token for `user` and return it with its raw key, which is never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:PREFIX_LENGTH], key_hash=hash_token(raw), created_by=by
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, token: ApiToken, by=None) -> ApiToken:
    """Stop the token from working. Revoking twice keeps the first revocation time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def token_for_key(raw: str) -> ApiToken | None:
    """The active token with this key (its owner, their staff profile and team ids loaded), or None; notes when it was used.

    Every API call asks this, so with PAGE_CACHE on the answer is kept in the cache for the
    data's generation (pairwork.data_generation): a revoked token, a deactivated owner or a
    changed role is a change of the data, and the next call asks PostgreSQL again.
    """
    key_hash = hash_token(raw)
    cache_key = f"api-token:{data_generation.generation()}:{key_hash}" if settings.PAGE_CACHE else None
    token = kept.get(cache_key) if cache_key else None
    if token is None:
        token = (
            ApiToken.objects.active().select_related("user__staff_profile")
            .annotate(owner_team_ids=team_ids_of("user__staff_profile__id")).filter(key_hash=key_hash).first()
        )
        if token is None:
            return None
        token.user.staff_team_ids = token.owner_team_ids  # as the session's user carries them (access.policy)
        if cache_key:
            kept.put(cache_key, token, KEPT_SECONDS)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
        ).update(last_used_at=now)
        token.last_used_at = now
        if cache_key:
            kept.put(cache_key, token, KEPT_SECONDS)
    return token

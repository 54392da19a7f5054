"""Values kept for one generation of the data: in this worker's memory first, then in the shared cache.

The page cache (access.page_cache) and the API token lookups (pairwork.api_tokens) key what they keep
by the data's generation (pairwork.data_generation), so a kept value is right for as long as its key can
be reached, whichever worker built it. Each worker also holds the values it used last in its own memory
(Django's LocMemCache, at most PAGE_CACHE_LOCAL_ENTRIES of them), in front of Redis: a page or token
used again by the same worker costs no round trip to Redis, and is still served with Redis down.

Only generation-keyed values belong here. A counter, or anything another worker changes in place (the
API throttles, the sign-in lockout), would go stale in one worker's memory; they use the shared cache.
"""
from __future__ import annotations

from django.conf import settings
from django.core.cache import cache, caches

LOCAL = "local"  # the alias in CACHES
# A value copied here from Redis lives at most this long (its remaining time in Redis is not known): a
# change made outside Django is seen after the value's own lifetime and this at most.
LOCAL_SECONDS = 60


def _local():
    return caches[LOCAL] if settings.PAGE_CACHE_LOCAL_ENTRIES else None


def get(key: str):
    """The value kept under `key`, or None: from this worker's memory, else from Redis (then kept here too)."""
    local = _local()
    if local is not None:
        value = local.get(key)
        if value is not None:
            return value
    value = cache.get(key)
    if value is not None and local is not None:
        local.set(key, value, LOCAL_SECONDS)
    return value


def put(key: str, value, timeout: int) -> None:
    """Keep `value` under `key` for `timeout` seconds, here and in Redis (for the other workers)."""
    cache.set(key, value, timeout)
    local = _local()
    if local is not None:
        local.set(key, value, min(timeout, LOCAL_SECONDS))

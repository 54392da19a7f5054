"""Redis is an accelerator, never a dependency of a request.

Redis holds the cache (API throttle counters, anything cached later) and the
Celery broker. Neither is the record: every write is in PostgreSQL, and the
periodic reconciles (visit e-mails, wellbeing aggregates) redo what a lost
job would have done. So when Redis refuses, hangs or drops the connection, a
request carries on without it:

* `ResilientRedisCache` answers a failed cache call like a miss (get →
  default, set/add/delete → nothing stored) and logs one warning;
* `pairwork.jobs.enqueue` gives up on the broker and logs a warning.

Every call is bounded by the socket timeouts in settings (REDIS_TIMEOUT), and
after one failure this process does not try Redis again for
`RETRY_AFTER_SECONDS`, so a Redis that hangs costs one timeout every few
seconds per process, not one per call.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
# What a down, slow or half-open Redis raises through redis-py and through kombu.
REDIS_FAILURES = (RedisError, BrokerError, OSError)


class _Outage:
    """Per process: when Redis last failed, so the next calls skip it for a while."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down_until = 0.0

    def is_recent(self) -> bool:
        return time.monotonic() < self._down_until

    def record(self, what: str, error: BaseException) -> None:
        with self._lock:
            first = not self.is_recent()
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        if first:
            logger.warning(
                "Redis unavailable (%s: %s); carrying on without it for %.0f s", what, type(error).__name__,
                RETRY_AFTER_SECONDS,
            )

    def clear(self) -> None:
        with self._lock:
            self._down_until = 0.0


outage = _Outage()


class _ClientPerPool(RedisCacheClient):
    """Django makes a new redis.Redis for every cache call (about 0.3 ms: its response-callback table);
    one per connection pool serves every call, as redis-py intends (a client is thread-safe)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(index))
        return client


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, failing open: a call Redis cannot answer is a miss, never an error."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _ClientPerPool

    def _call(self, what: str, fallback: Any, method, *args, **kwargs):
        if outage.is_recent():
            return fallback
        try:
            return method(*args, **kwargs)
        except REDIS_FAILURES as error:
            outage.record(f"cache {what}", error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), super().set_many, data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", delta, super().incr, key, delta, version)

    def count(self, key, timeout: int, version=None) -> int:
        """Add one to a counter that lives `timeout` seconds from its first count: one round trip
        (SET NX EX, then INCR, pipelined). Redis down: 1, as if it were the first."""

        def run():
            full_key = self.make_and_validate_key(key, version=version)
            pipe = self._cache.get_client(full_key, write=True).pipeline(transaction=False)
            pipe.set(full_key, 0, ex=timeout, nx=True)
            pipe.incr(full_key)
            return pipe.execute()[1]

        return self._call("count", 1, run)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._call("clear", False, super().clear)

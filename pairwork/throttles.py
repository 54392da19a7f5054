"""API rate limits counted per fixed window: one small counter per caller and window.

REST framework's own throttles keep every request time of the window in one
cache entry and read and rewrite the whole list on every call (up to 5 000
timestamps an hour per token at the default rate). These count instead: an
atomic increment of the caller's counter for the current window, which
expires with the window. A caller gets at most twice the rate across a window
boundary, the usual price of fixed windows. Redis down: the count fails open
(pairwork.redis_outage), as before.
"""
from __future__ import annotations

from rest_framework import throttling


class _FixedWindow:
    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        if hasattr(self.cache, "count"):  # Redis: one round trip
            count = self.cache.count(key, self.duration + 1)
        else:
            try:
                count = self.cache.incr(key)
            except ValueError:  # the window's first call
                count = 1 if self.cache.add(key, 1, self.duration + 1) else self.cache.incr(key)
        return count <= self.num_requests

    def wait(self) -> float:
        return max(self.window_ends - self.now, 1.0)


class UserRateThrottle(_FixedWindow, throttling.UserRateThrottle):
    """A signed-in user or API token: API_USER_RATE per window."""


class AnonRateThrottle(_FixedWindow, throttling.AnonRateThrottle):
    """An anonymous caller, by address: API_ANON_RATE per window."""

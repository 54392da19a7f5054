"""The address a request came from, as the trusted proxies in front of us saw it.

Behind a TLS proxy every request connects from the proxy, so REMOTE_ADDR is
the same for everyone; a lockout or throttle keyed on it punishes all users
for one attacker. Each proxy appends the address it was connected from to
X-Forwarded-For, so with N trusted proxies the client is the N-th entry from
the right. Entries further left were written by the client itself and are
never trusted. `TRUSTED_PROXY_COUNT` (pairwork/env.py) is N; it is 0 by
default, which ignores the header entirely (nothing in front, nothing to trust).

The REST framework's throttles read the same number (NUM_PROXIES) and pick
the same entry, so the login lockout and the API agree on who is asking.
"""
from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies: int = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # A proxy we trust wrote something that is not an address: misconfigured, so fall back
        # to the connection rather than key a lockout on text a client may have chosen.
        return remote

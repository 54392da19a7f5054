"""Opens the access-log ledger for each request and writes its pending reads when the response is ready."""
from __future__ import annotations

from django.urls import reverse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

import hashlib

from django.contrib.auth import SESSION_KEY

from pairwork.data_generation import remembered

from . import page_cache
from .choices import Channel
from .log import close_request, open_request


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._prefixes: list[tuple[str, str]] | None = None

    def _channel(self, path: str) -> str:
        if self._prefixes is None:
            self._prefixes = [(reverse("admin:index"), Channel.ADMIN), ("/api/", Channel.API)]
        return next((channel for prefix, channel in self._prefixes if path.startswith(prefix)), Channel.WEB)

    def __call__(self, request):
        token = open_request(self._channel(request.path_info), writes=request.method not in SAFE_METHODS)
        try:
            response = self.get_response(request)
        except BaseException:
            close_request(token, write=False)
            raise
        close_request(token)
        return response


class PageCacheMiddleware:
    """Serves a page again while nothing has changed (access.page_cache); last in MIDDLEWARE.

    Last, so that every other middleware's request handling has run (session,
    language, CSRF secret, the access-log ledger, messages) and that a kept
    response passes back through all of them (security headers, cookies, the
    log rows written) exactly like a built one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "GET" or not getattr(view_func, "page_cacheable", False) or not page_cache.enabled():
            return None
        session = request.session
        user_id = session.get(SESSION_KEY)
        csrf_secret = request.META.get("CSRF_COOKIE")
        if not user_id or not csrf_secret or "messages" in request.COOKIES or "_messages" in session:
            return None
        state = hashlib.sha256(repr(sorted(session.items())).encode()).hexdigest()
        cache_key = page_cache.key(
            "page", user_id, state, csrf_secret, request.LANGUAGE_CODE, request.get_full_path(), request.get_host(),
            request.scheme,
        )
        entry = page_cache.fetch(cache_key)
        if entry is not None:
            if entry.get("csrf"):
                request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as rendering the token would: the cookie is renewed
            return page_cache.response_from(entry, getattr(view_func, "page_fill", None))
        request.page_cache_pending = (cache_key, page_cache.begin())
        return None

    def __call__(self, request):
        with remembered():
            response = self.get_response(request)
        pending = getattr(request, "page_cache_pending", None)
        if pending is not None:
            cache_key, token = pending
            changed = page_cache.wrote(token)
            messages = getattr(request, "_messages", None)
            shown = messages is not None and (messages.used or messages._queued_messages)
            frame = getattr(request, "page_frame", None)
            # A framed page wrote its own reads at once, to list them: they are kept with it and replayed.
            own = [row["client_id"] for row in frame["rows"]] if frame is not None else ()
            if not changed and not shown and not request.session.modified and page_cache.storable(response, own):
                entry = page_cache.entry_for(response)
                if frame is not None:
                    entry.update(frame)
                entry["csrf"] = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
                page_cache.store(cache_key, entry)
                response[page_cache.HEADER] = "miss"
        return response

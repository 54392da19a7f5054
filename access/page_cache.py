"""A cache of whole pages and API lists that is never stale and still logs every read.

The busiest pages (a nurse's visits, the calendar, the dashboard) are opened
again and again by the same person while nothing has changed. This module
keeps the rendered response for *that person* and serves it again while the
data is unchanged, instead of querying and rendering it anew.

What keeps it correct:

* **A generation of the data** (`pairwork.data_generation`). Every statement
  that changes data through a Django connection (ORM, bulk updates, raw SQL,
  in the web and in the Celery worker alike) advances a PostgreSQL sequence
  once its transaction has committed. A cached response is keyed by the
  generation read *before* it was built, so a response built from older data
  is never read again after a commit. Writes made outside Django (psql) are
  covered by the entries' short lifetime (`TTL`).
* **The person and their browser.** The key holds the signed-in user, a hash
  of their session data (the team they picked, …), the browser's CSRF secret
  (the forms on the page carry a token for it), the language, the full path
  with its query, the host and scheme (links to the calendar feed are
  absolute), and the current minute (pages that say "now" or "today"
  are at most a minute old). API lists are keyed by the token's user after
  REST framework has authenticated, permitted and throttled the call.
* **Only plain successes.** A response is kept only when it is a 200, sets no
  cookie, shows no flash message, did not change the session and wrote
  nothing to the database during the request.
* **Every read is still logged.** The access-log rows a response would write
  (`access.log.pending_rows`) are kept with it and written again, by the
  access log's own code, on every request it serves.

Entries are kept in Redis for every worker and, the last ones a worker used, in
that worker's own memory too (`pairwork.kept`). With neither (Redis down, and
a page this worker has not kept) a request is simply built; with
`PAGE_CACHE=false` the cache is off. The tests run with it off except those
about it.
"""
from __future__ import annotations

import functools
import hashlib
import time

from django.conf import settings
from django.http import HttpResponse

from pairwork import kept
from pairwork.data_generation import begin, generation, wrote

from . import log

TTL = 120  # seconds an entry lives at most (writes made outside Django)
HEADER = "X-Page-Cache"  # "hit" or "miss": lets the benchmark and the tests see what happened


def enabled() -> bool:
    return settings.PAGE_CACHE


# --- keys, lookups and stores ------------------------------------------------------------------

def key(*parts: object) -> str:
    digest = hashlib.sha256(repr((generation(), int(time.time() // 60), *parts)).encode()).hexdigest()
    return f"page:{digest}"


def fetch(cache_key: str) -> dict | None:
    return kept.get(cache_key)


def store(cache_key: str, entry: dict) -> None:
    kept.put(cache_key, entry, TTL)


def entry_for(response: HttpResponse, *, content: bytes | None = None, headers: dict | None = None) -> dict:
    """What is kept of a built response: its bytes, headers and the access-log rows it wrote."""
    return {
        "status": response.status_code,
        "content": response.content if content is None else content,
        "headers": dict(response.items()) if headers is None else headers,
        "rows": log.pending_rows(),
    }


def response_from(entry: dict, fill=None) -> HttpResponse:
    """A kept response served again: its reads logged again, a frame's live part filled in by `fill`."""
    log.replay_rows(entry["rows"])
    content = entry["content"] if fill is None else fill(entry["part"], entry["content"])
    response = HttpResponse(content, status=entry["status"], headers=entry["headers"])
    response[HEADER] = "hit"
    return response


def storable(response, own_reads=()) -> bool:
    """A plain success that set no cookie and wrote no log row at once (but a framed page's `own_reads`)."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not log.wrote_now(besides=own_reads)
    )


def cacheable(view):
    """Mark a page view whose GET response the page cache may keep (access.middleware.PageCacheMiddleware)."""
    view.page_cacheable = True
    return view


def framed(fill):
    """Mark a page view whose kept response is a *frame*: the page with a live part left out.

    For a page that changes on every request but only in one place, such as
    the access log, which lists its own read: the view renders the page once
    with placeholders and hands it to `keep_frame` with the part it computed
    (`part`, anything picklable); on every later request `fill(part, content)`
    completes the kept frame, after the request's reads have been logged.
    Keyed, kept and refused exactly as any cached page.
    """

    def mark(view):
        view.page_cacheable = True
        view.page_fill = fill
        return view

    return mark


def building(request) -> bool:
    """Is this response being built for the page cache (which keeps it if it turns out plain)?"""
    return getattr(request, "page_cache_pending", None) is not None


def keep_frame(request, content: bytes, *, part, reads: list[dict]) -> None:
    """From a framed view while it builds: keep `content` (with placeholders) and `part`, and the reads to log again."""
    request.page_frame = {"content": content, "part": part, "rows": reads}


def cached_list(method):
    """For a REST framework list: the same kept-and-logged answer while nothing has changed.

    Runs after REST framework's authentication, permissions and throttles (they
    apply to every call, served from the cache or not); keyed by the caller.
    """

    @functools.wraps(method)
    def list_(self, request, *args, **kwargs):
        user = request.user
        if not enabled() or not user.is_authenticated:
            return method(self, request, *args, **kwargs)
        cache_key = key("api", user.pk, getattr(request, "LANGUAGE_CODE", ""), request.get_full_path(),
                        request.accepted_media_type, request.get_host(), request.scheme)
        entry = fetch(cache_key)
        if entry is not None:
            return response_from(entry)  # rendered bytes: REST framework passes a plain response through
        token = begin()
        try:
            response = method(self, request, *args, **kwargs)
        finally:
            changed = wrote(token)
        if not changed and storable(response):
            # REST framework renders after the view returns; the kept bytes are rendered here, once.
            content = request.accepted_renderer.render(response.data, request.accepted_media_type, self.get_renderer_context())
            store(cache_key, entry_for(response, content=content, headers={"Content-Type": request.accepted_media_type}))
            response[HEADER] = "miss"
        return response

    return list_

"""Opens the access-log ledger for each request and writes its pending reads when the response is ready."""
from __future__ import annotations

from django.urls import reverse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

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

"""Where a visit links to: its own page (notes, outcome; the coordinator's move and cancel are linked from it)."""
from __future__ import annotations

from typing import Iterable

from django.urls import reverse

from .models import Visit


def visit_page_url(visit: Visit) -> str:
    return reverse("visits:detail", args=[visit.pk])


def with_page_urls(visits: Iterable[Visit]) -> list[Visit]:
    """The visits as a list, each with `page_url` set (no queries)."""
    visits = list(visits)
    for visit in visits:
        visit.page_url = visit_page_url(visit)
    return visits

"""Where a visit links to.

The visit's own page (`visits:detail`: notes, outcome) belongs to the
visit-notes pages; until it exists, coordinators land on the move page and
staff get no link, so no page breaks on a missing URL name.
"""
from __future__ import annotations

from typing import Iterable

from django.urls import NoReverseMatch, reverse

from .models import Visit


def visit_page_url(visit: Visit, *, may_manage: bool) -> str | None:
    try:
        return reverse("visits:detail", args=[visit.pk])
    except NoReverseMatch:
        return reverse("visits:reschedule", args=[visit.pk]) if may_manage else None


def with_page_urls(visits: Iterable[Visit], *, may_manage: bool) -> list[Visit]:
    """The visits as a list, each with `page_url` set (no queries)."""
    visits = list(visits)
    for visit in visits:
        visit.page_url = visit_page_url(visit, may_manage=may_manage)
    return visits

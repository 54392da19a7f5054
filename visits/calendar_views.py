"""The team's week and day calendars, "my visits", and the private calendar feed."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from access import page_cache
from access.choices import ObjectType
from access.log import log_listing
from access.policy import VISITING_ROLES, policy, profile_of
from access.view_guards import coordinator_required


from . import calendar, feeds
from pairwork.limits import date_in_window, date_window_message
from .links import visit_page_url


def _chosen_teams(request: HttpRequest):
    """All the user's teams, or the one picked with ?team=."""
    teams = policy(request.user).managed_teams().order_by("name")
    picked = request.GET.get("team", "")
    if picked.isdigit():
        one = teams.filter(pk=int(picked))
        return one, int(picked)
    return teams, None


class _BadDay(Exception):
    pass


def _parse_day(raw: str | None) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        raise Http404 from None
    if not date_in_window(day):
        raise _BadDay
    return day


def _bad_day(request: HttpRequest) -> HttpResponse:
    """A date outside the service's window: 400 with the window, and a way back to this week."""
    return render(request, "bad_request.html", {
        "message": date_window_message(), "back_url": reverse("visits:calendar"),
    }, status=400)


def _chosen_person(request: HttpRequest, teams):
    """The artist or nurse picked with ?person= among the chosen teams' people, else None (the whole team)."""
    people = (
        policy(request.user).visible_staff().filter(teams__in=teams, role__in=VISITING_ROLES)
        .select_related("user").distinct().order_by("user__first_name", "user__last_name")
    )
    picked = request.GET.get("person", "")
    person = people.filter(pk=int(picked)).first() if picked.isdigit() else None
    return people, person


@page_cache.cacheable
@coordinator_required
def week(request: HttpRequest) -> HttpResponse:
    """The team's week on a time axis (or one person's week), previous/next week and today; printable."""
    try:
        monday = calendar.monday_of(_parse_day(request.GET.get("week")))
    except _BadDay:
        return _bad_day(request)
    teams, team_id = _chosen_teams(request)
    people, person = _chosen_person(request, teams)
    days = calendar.team_week(user=request.user, teams=teams, monday=monday, person=person)
    log_listing(user=request.user, client_ids=[v.client_id for d in days for v in d.visits], object_type=ObjectType.VISIT)
    keep = "&".join(f"{key}={value}" for key, value in (("team", team_id), ("person", person and person.pk)) if value)
    return render(request, "visits/calendar_week.html", {
        "days": days,
        "grid": calendar.week_grid(days),
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "previous_week": (monday - dt.timedelta(weeks=1)).isoformat(),
        "next_week": (monday + dt.timedelta(weeks=1)).isoformat(),
        "teams": policy(request.user).managed_teams().order_by("name"),
        "team_id": team_id,
        "people": people,
        "person": person,
        "keep": keep,
        "visit_count": sum(len(d.active_visits) for d in days),
    })


@coordinator_required
def day(request: HttpRequest, day: str) -> HttpResponse:
    """One day, a row per pair: who is where, and who is free."""
    try:
        the_day = _parse_day(day)
    except _BadDay:
        return _bad_day(request)
    teams, team_id = _chosen_teams(request)
    rows = calendar.team_day(user=request.user, teams=teams, day=the_day)
    log_listing(user=request.user, client_ids=[v.client_id for row in rows for v in row.visits], object_type=ObjectType.VISIT)
    return render(request, "visits/calendar_day.html", {
        "rows": rows,
        "day": the_day,
        "previous_day": (the_day - dt.timedelta(days=1)).isoformat(),
        "next_day": (the_day + dt.timedelta(days=1)).isoformat(),
        "week": calendar.monday_of(the_day).isoformat(),
        "teams": policy(request.user).managed_teams().order_by("name"),
        "team_id": team_id,
    })


@page_cache.cacheable
@login_required
def my_visits(request: HttpRequest) -> HttpResponse:
    """An artist's or nurse's own visits, today and the next two weeks, for a phone."""
    if profile_of(request.user) is None:
        raise PermissionDenied
    mine = calendar.my_visits(user=request.user)
    log_listing(user=request.user, client_ids=mine.client_ids, object_type=ObjectType.VISIT)
    today = timezone.localdate()
    return render(request, "visits/my_visits.html", {
        "mine": mine,
        "today": today,
        "my_pairs": policy(request.user).visible_pairs().active_on(today).with_people(),
    })


@login_required
@never_cache
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """Create, replace or revoke one's private feed; a new address is shown once."""
    profile = profile_of(request.user)
    if profile is None:
        raise PermissionDenied
    feed_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            feeds.revoke_calendar_token(staff=profile)
        else:
            token = feeds.issue_calendar_token(staff=profile)
            feed_url = request.build_absolute_uri(reverse("visits:ical_feed", args=[token]))
    return render(request, "visits/calendar_feed.html", {
        "has_feed": bool(profile.calendar_token_hash), "feed_url": feed_url,
    })


@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: no login (calendar apps cannot log in); the secret token is the key."""
    staff = feeds.staff_for_token(token)
    if staff is None:
        raise Http404
    body = feeds.build_feed(
        staff, visit_url=lambda visit: _absolute_visit_url(request, visit),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="tyopari.ics"'
    return response


def _absolute_visit_url(request: HttpRequest, visit) -> str | None:
    path = visit_page_url(visit)
    return request.build_absolute_uri(path) if path else None

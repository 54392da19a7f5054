"""Who sees which teams on the dashboard, and the team and period chosen."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from pairwork.models import Role, Team
from pairwork.roles import ADMINISTRATOR, role_of

from ..selectors import add_months, month_start

DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class DashboardScope:
    teams: list[Team]
    shows_totals: bool  # an organisation-wide view also shows the all-teams totals


def dashboard_scope(user) -> DashboardScope | None:
    """Teams whose aggregates this user may see; None for anyone who is not a manager or administrator."""
    role = role_of(user)
    if role == ADMINISTRATOR:
        return DashboardScope(list(Team.objects.order_by("name")), shows_totals=True)
    if role == Role.MANAGER:
        profile = user.staff_profile
        if profile.organisation_wide:
            return DashboardScope(list(Team.objects.order_by("name")), shows_totals=True)
        return DashboardScope(list(profile.teams.order_by("name")), shows_totals=False)
    return None


@dataclass(frozen=True)
class Filters:
    teams: tuple[Team, ...]
    start: dt.date
    end: dt.date
    show_totals: bool
    totals_visible: bool = False  # the viewer may see the all-teams totals (the charts' reference line)

    @property
    def months(self) -> list[dt.date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months


def filters_for(scope: DashboardScope, *, team_id: str = "", start=None, end=None) -> Filters:
    end = end or month_start(timezone.localdate())
    start = start or add_months(end, -(DEFAULT_MONTHS - 1))
    chosen = [team for team in scope.teams if str(team.pk) == str(team_id)]
    return Filters(
        teams=tuple(chosen or scope.teams),
        start=start,
        end=end,
        show_totals=scope.shows_totals and not chosen,
        totals_visible=scope.shows_totals,
    )

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
    # Rows for each team of `teams`. Off in an organisation-wide view without a chosen team: it shows the all-teams
    # figures, and its work (and length) does not grow with the number of teams; a team's figures are a choice away.
    per_team: bool = True

    @property
    def shown_teams(self) -> tuple[Team, ...]:
        """The teams with rows and findings of their own."""
        return self.teams if self.per_team else ()

    @property
    def months(self) -> list[dt.date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months


def filters_for(scope: DashboardScope, *, team_id: str = "", start=None, end=None, every_team: bool = False) -> Filters:
    """The chosen team and months. Without a team an organisation-wide viewer gets the all-teams figures only,
    unless `every_team` (the CSV export: a file may be complete, a page must stay readable)."""
    end = end or month_start(timezone.localdate())
    start = start or add_months(end, -(DEFAULT_MONTHS - 1))
    chosen = [team for team in scope.teams if str(team.pk) == str(team_id)]
    return Filters(
        teams=tuple(chosen or scope.teams),
        start=start,
        end=end,
        show_totals=scope.shows_totals and not chosen,
        totals_visible=scope.shows_totals,
        per_team=bool(chosen) or not scope.shows_totals or every_team,
    )

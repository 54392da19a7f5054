"""Work pairs: the pair selectors (the services, which ask the policy, are workspace.pair_services)."""
from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from .models import StaffProfile

SHARED_AGREEMENT_TEMPLATE = gettext_lazy(
    "Shared goals (what we want for the client):\n\n"
    "Values (how we work together):\n\n"
    "The artist's role:\n\n"
    "The nurse's role:\n\n"
    "How we agree on changes:\n"
)


# --- Selectors -----------------------------------------------------------------------


def team_members(teams, role: str) -> QuerySet[StaffProfile]:
    """Active staff of a role in these teams, for choosing a pair's members."""
    return StaffProfile.objects.with_role(role).active().in_teams(teams).select_related("user")

"""Each role's home page: it shows visits and pending surveys, so it lives above visits and wellbeing."""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from access import page_cache
from pairwork.models import Role
from pairwork.navigation import SHORTCUTS, links_for
from pairwork.roles import ADMINISTRATOR, role_of

from . import home as selectors

HOME_SELECTORS = {
    Role.COORDINATOR: selectors.coordinator_home,
    Role.ARTIST: selectors.staff_home,
    Role.NURSE: selectors.staff_home,
    Role.MANAGER: selectors.manager_home,
    ADMINISTRATOR: selectors.administrator_home,
}


@page_cache.cacheable
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's own start page; an account without a role sees only that it has none."""
    role = role_of(request.user)
    if role is None:
        return render(request, "home/no_role.html")
    context = HOME_SELECTORS[role](user=request.user)
    context["shortcuts"] = links_for(role, request.path, SHORTCUTS)
    return render(request, f"home/{role}.html", context)

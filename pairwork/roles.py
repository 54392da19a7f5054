"""The five roles: four staff roles on StaffProfile, plus the administrator.

Django groups mirror the roles so that model permissions (what a role may do
at all) live in the database and show in the admin; which *objects* a person
may touch is decided by the selectors of each app.
"""
from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Group, Permission

from .models import Role

ADMINISTRATOR = "administrator"

# Model permissions per role: app_label.codename.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COORDINATOR: [
        "pairwork.view_team",
        "pairwork.view_staffprofile",
        "pairwork.view_weeklyavailability",
        "pairwork.add_workpair", "pairwork.change_workpair", "pairwork.view_workpair",
        "clients.add_client", "clients.change_client", "clients.view_client",
        "clients.add_carerelationship", "clients.change_carerelationship", "clients.delete_carerelationship", "clients.view_carerelationship",
        "clients.add_servicecircleentry", "clients.change_servicecircleentry", "clients.delete_servicecircleentry", "clients.view_servicecircleentry",
        "access.view_accesslog",
        "visits.add_visit", "visits.change_visit", "visits.view_visit",
        "visits.add_visitseries", "visits.view_visitseries",
        "visits.view_visitnote",
        "wellbeing.view_instrument",
    ],
    Role.ARTIST: [
        "visits.view_visit", "visits.add_visitnote", "visits.change_visitnote", "visits.view_visitnote",
        "wellbeing.view_instrument", "wellbeing.add_surveyresponse",
    ],
    Role.NURSE: [
        "visits.view_visit", "visits.add_visitnote", "visits.change_visitnote", "visits.view_visitnote",
        "clients.view_client",
        "wellbeing.view_instrument", "wellbeing.add_surveyresponse",
    ],
    Role.MANAGER: [
        "pairwork.view_team",
        "wellbeing.view_instrument",
    ],
}

GROUP_NAMES = {
    Role.COORDINATOR: "Coordinators",
    Role.ARTIST: "Artists",
    Role.NURSE: "Nurses",
    Role.MANAGER: "Managers",
}


def role_of(user) -> str | None:
    """'coordinator', 'artist', 'nurse', 'manager', 'administrator' or None."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    cached = getattr(user, "_tyopari_role", "")
    if cached != "":
        return cached
    profile = getattr(user, "staff_profile", None) if hasattr(user, "staff_profile") else None
    if profile is not None:
        role = profile.role
    elif user.is_superuser or user.is_staff:
        role = ADMINISTRATOR
    else:
        role = None
    user._tyopari_role = role
    return role


def ensure_role_groups(**kwargs) -> None:
    """Create the role groups with their permissions (run after every migrate)."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=GROUP_NAMES[role])
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)


def sync_role_group(profile) -> None:
    """Put the user in exactly the group of their role."""
    user = profile.user
    role_groups = Group.objects.filter(name__in=GROUP_NAMES.values())
    user.groups.remove(*role_groups.exclude(name=GROUP_NAMES[profile.role]))
    group, _ = Group.objects.get_or_create(name=GROUP_NAMES[profile.role])
    user.groups.add(group)
    user._tyopari_role = ""

"""Who may call the API at all, and who may write. Which objects: access.policy."""
from __future__ import annotations

from rest_framework import permissions

from pairwork.roles import role_of

from .policy import HEALTH_READERS, MANAGING_ROLES, VISITING_ROLES


# The care record beyond what a visit needs is for those who read health data.
CARE_ROLES = HEALTH_READERS


class HasRole(permissions.BasePermission):
    """Signed in (or a token) and holding one of the five roles."""

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) is not None


class CoordinatorWrites(HasRole):
    """Anyone with a role reads (within scope); coordinators and administrators write."""

    def has_permission(self, request, view) -> bool:
        role = role_of(request.user)
        if request.method in permissions.SAFE_METHODS:
            return role is not None
        return role in MANAGING_ROLES


class CareStaffOnly(HasRole):
    """Coordinators, nurses and administrators: the care record beyond what a visit needs."""

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) in CARE_ROLES


class CoordinatorsOnly(HasRole):
    def has_permission(self, request, view) -> bool:
        return role_of(request.user) in MANAGING_ROLES


class PairMembersWrite(HasRole):
    """Anyone with a role reads (within scope); only artists and nurses write, and only in their own visits
    (visit notes and outcomes are the participants' own account; access.policy.Policy.participant_access)."""

    def has_permission(self, request, view) -> bool:
        role = role_of(request.user)
        if request.method in permissions.SAFE_METHODS:
            return role is not None
        return role in VISITING_ROLES

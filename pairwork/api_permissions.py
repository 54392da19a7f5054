"""Who may call the API at all, and who may write. Which objects: pairwork.scoping."""
from __future__ import annotations

from rest_framework import permissions

from .models import Role
from .roles import ADMINISTRATOR, role_of

CARE_ROLES = (Role.COORDINATOR, Role.NURSE, ADMINISTRATOR)


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
        return role in (Role.COORDINATOR, ADMINISTRATOR)


class CareStaffOnly(HasRole):
    """Coordinators, nurses and administrators: the care record beyond what a visit needs."""

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) in CARE_ROLES


class CoordinatorsOnly(HasRole):
    def has_permission(self, request, view) -> bool:
        return role_of(request.user) in (Role.COORDINATOR, ADMINISTRATOR)

"""Role gates for views: who may open a page at all.

Which *objects* a page shows is decided by the selectors (pairwork.scoping,
pairwork.pairs); these only turn away roles the page is not for, with 403
(the page exists for everyone; nothing about an object is revealed).
"""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .models import Role
from .roles import ADMINISTRATOR, role_of

MANAGING_ROLES = frozenset({Role.COORDINATOR, ADMINISTRATOR})
VISITING_ROLES = frozenset({Role.ARTIST, Role.NURSE})


def roles_required(roles):
    def decorator(view):
        @login_required
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if role_of(request.user) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorator


coordinator_required = roles_required(MANAGING_ROLES)

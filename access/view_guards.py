"""Role gates for views: who may open a page at all.

Which *objects* a page shows is decided by access.policy and fetched through
access.guard; these only turn away roles the page is not for, with 403 (the
page exists for everyone; nothing about an object is revealed).
"""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from pairwork.roles import role_of

from . import guard
from .choices import ObjectType
from .policy import MANAGING_ROLES, VISITING_ROLES


__all__ = ["MANAGING_ROLES", "VISITING_ROLES", "roles_required", "coordinator_required"]


def roles_required(roles, *, object_type: str | None = None):
    """Only these roles may open the page.

    For a page about one object (`object_type` names what its `pk` is: a
    client, a visit or a visit series) a refused role gets what an outsider
    gets: a logged denial and a 404, so the object's existence is not
    revealed. Other pages answer 403.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if role_of(request.user) not in roles:
                if object_type is not None:
                    guard.refuse(request.user, object_type, kwargs["pk"])
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorator


coordinator_required = roles_required(MANAGING_ROLES)
coordinator_client_page = roles_required(MANAGING_ROLES, object_type=ObjectType.CLIENT)
coordinator_visit_page = roles_required(MANAGING_ROLES, object_type=ObjectType.VISIT)
coordinator_series_page = roles_required(MANAGING_ROLES, object_type=ObjectType.VISIT_SERIES)

from django.http import HttpRequest

from .navigation import ROLE_LABELS, links_for
from .roles import role_of


def role(request: HttpRequest) -> dict:
    """The signed-in user's role, for navigation."""
    user = getattr(request, "user", None)
    return {"user_role": role_of(user) if user is not None else None}


def navigation(request: HttpRequest) -> dict:
    """The main-menu links the signed-in user's role may see (see pairwork/navigation.py)."""
    user = getattr(request, "user", None)
    user_role = role_of(user) if user is not None else None
    return {"nav_links": links_for(user_role, request.path), "user_role_label": ROLE_LABELS.get(user_role, "")}

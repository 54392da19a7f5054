from django.http import HttpRequest

from .roles import role_of


def role(request: HttpRequest) -> dict:
    """The signed-in user's role, for navigation."""
    user = getattr(request, "user", None)
    return {"user_role": role_of(user) if user is not None else None}

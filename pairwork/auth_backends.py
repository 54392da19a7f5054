"""The session's user with their staff profile, and the ids of their teams, in one query.

Every page asks for the signed-in user's role (pairwork.roles.role_of), which
reads `user.staff_profile`; Django's ModelBackend loads the user alone, so each
request paid a second query for the profile. This backend answers the same
user (same `user_can_authenticate` rules, same password check) with the
profile joined.
"""
from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from pairwork.models import StaffProfile


def team_ids_of(profile_id: str) -> ArraySubquery:
    """The ids of a staff member's teams as one array column, `profile_id` the path to their profile's id.

    They ride along with the session's user (and an API token's owner) as
    `staff_team_ids`: access.policy filters a coordinator's visits and clients
    by them as literals, which PostgreSQL plans for those very teams, and
    which costs no query of its own.
    """
    teams = StaffProfile.teams.through.objects.filter(staffprofile_id=OuterRef(profile_id)).order_by("team_id")
    return ArraySubquery(teams.values("team_id"))


class UserWithProfileBackend(ModelBackend):
    def get_user(self, user_id):
        user = self._user_with_profile(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _user_with_profile(user_id):
        from django.contrib.auth import get_user_model

        return (
            get_user_model()._default_manager.select_related("staff_profile")
            .annotate(staff_team_ids=team_ids_of("staff_profile__id"))
            .filter(pk=user_id).first()
        )

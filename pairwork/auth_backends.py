"""The session's user with their staff profile in one query.

Every page asks for the signed-in user's role (pairwork.roles.role_of), which
reads `user.staff_profile`; Django's ModelBackend loads the user alone, so each
request paid a second query for the profile. This backend answers the same
user (same `user_can_authenticate` rules, same password check) with the
profile joined.
"""
from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class UserWithProfileBackend(ModelBackend):
    def get_user(self, user_id):
        user = self._user_with_profile(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _user_with_profile(user_id):
        from django.contrib.auth import get_user_model

        return get_user_model()._default_manager.select_related("staff_profile").filter(pk=user_id).first()

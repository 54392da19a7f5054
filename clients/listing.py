"""Logging lists of clients: a page that shows client names is a read of client data.

One row per client shown, written with one INSERT so that a list's query
count does not grow with its length. (pairwork.scoping.log_access writes the
single-object rows.)
"""
from __future__ import annotations

from typing import Iterable

from pairwork.models import Role
from pairwork.roles import ADMINISTRATOR, role_of
from pairwork.scoping import ADMINISTRATOR_GROUNDS, COORDINATOR_GROUNDS, NO_GROUNDS, PARTICIPANT_GROUNDS

from .models import AccessLog

_GROUNDS = {ADMINISTRATOR: ADMINISTRATOR_GROUNDS, Role.COORDINATOR: COORDINATOR_GROUNDS, Role.ARTIST: PARTICIPANT_GROUNDS, Role.NURSE: PARTICIPANT_GROUNDS}


def log_client_listing(*, user, client_ids: Iterable[int], object_type: str, channel: str = "web") -> None:
    """Append a LIST row per distinct client shown to `user` (the caller has scoped the list)."""
    ids = sorted(set(client_ids))
    if not ids:
        return
    grounds = _GROUNDS.get(role_of(user), NO_GROUNDS)
    AccessLog.objects.bulk_create(
        AccessLog(
            user=user, username=user.get_username(), client_id=client_id, object_type=object_type,
            action=AccessLog.Action.LIST, grounds=grounds, allowed=True, channel=channel,
        )
        for client_id in ids
    )

"""The one guard: fetch a client-bearing object for a user, decide by the policy, log it.

    client, access = guard.fetch(request.user, ObjectType.CLIENT, pk)

answers the object or raises Http404 (never 403: an outsider must not learn
that it exists). Either way the request leaves one access-log row for the
object's client (see access.log for how a service's own row takes the place
of the guard's "viewed" row). A page cannot fetch client data and forget to
log, because fetching *is* logging.

Each app that stores client-bearing objects registers them (`register`) in
its AppConfig.ready: how to fetch one, whose client it belongs to, and which
policy question decides who may see it. The guard itself imports no such app.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from django.db.models import QuerySet
from django.http import Http404

from .choices import Action
from .log import log_access, log_read
from .policy import DENIED, Access, Policy, policy

Rule = Callable[[Policy, Any], Access]

READ_ACTIONS = (Action.VIEW, Action.LIST)


@dataclass(frozen=True)
class Kind:
    queryset: Callable[[], QuerySet]
    client_id: Callable[[Any], int | None]
    rule: Rule


_KINDS: dict[str, Kind] = {}


def register(object_type: str, *, queryset: Callable[[], QuerySet], client_id: Callable[[Any], int | None], rule: Rule) -> None:
    _KINDS[str(object_type)] = Kind(queryset=queryset, client_id=client_id, rule=rule)


def kind(object_type: str) -> Kind:
    return _KINDS[str(object_type)]


def _as_pk(pk) -> int | None:
    try:
        return int(pk)
    except (TypeError, ValueError):
        return None


def fetch(
    user,
    object_type: str,
    pk,
    *,
    rule: Rule | None = None,
    log_as: str | None = None,
    action: str = Action.VIEW,
    channel: str | None = None,
    queryset: QuerySet | None = None,
) -> tuple[Any, Access]:
    """The object if the policy lets `user` see it (`rule`, default the kind's own), logged; else a logged 404.

    `log_as` names what of the client's data is read when it is not the object
    itself ("visit notes", "access log"); `action` what the read is. An allowed
    read is written once the response is ready, unless a service logs the same
    client in the request first (see access.log).
    """
    registered = kind(object_type)
    rule = rule or registered.rule
    number = _as_pk(pk)
    found = (queryset if queryset is not None else registered.queryset()).filter(pk=number).first() if number else None
    access = rule(policy(user), found) if found is not None else DENIED
    client_id = registered.client_id(found) if found is not None else None
    what = log_as or object_type
    if not access:
        log_access(user=user, client_id=client_id, object_type=what, object_id=pk, action=action, access=access,
                   channel=channel)
        raise Http404
    # A change is logged by the service that makes it; until then (and if it never does) this was a read.
    log_read(user=user, client_id=client_id, object_type=what, object_id=pk, access=access, channel=channel,
             action=action if action in READ_ACTIONS else Action.VIEW, for_a_change=action not in READ_ACTIONS)
    return found, access


def refuse(user, object_type: str, pk, *, log_as: str | None = None, action: str = Action.VIEW,
           channel: str | None = None):
    """Log a denied attempt on one object by someone the page is not for, and answer 404."""
    number = _as_pk(pk)
    found = kind(object_type).queryset().filter(pk=number).first() if number else None
    log_access(
        user=user, client_id=kind(object_type).client_id(found) if found is not None else None,
        object_type=log_as or object_type, object_id=pk, action=action, access=DENIED, channel=channel,
    )
    raise Http404

"""Who may see which client and visit, on what grounds — and the log of it.

PRODUCT.md §4 rule 3 in one place. Views, the API and exports ask here;
none of them re-implements a rule:

* an administrator sees everything ("administrator");
* a coordinator sees the clients and visits of their own teams ("team coordinator");
* an artist or nurse sees the visits they take part in and the clients of
  those visits ("visit participant");
* a manager sees no client-level data at all (aggregates only);
* health notes are for nurses and coordinators (and administrators), never artists.

Every read or change of client data goes through `log_access`, allowed or
denied, into the append-only AccessLog: reads through `get_client_or_404` /
`get_visit_or_404`; changes and exports through `authorise_*_or_404` (which
logs a refusal) followed by the service that acts (which logs what it did).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from clients.models import AccessLog, Client
from pairwork.models import Role, StaffProfile, Team
from pairwork.roles import ADMINISTRATOR, role_of
from visits.models import Visit, VisitParticipant

ADMINISTRATOR_GROUNDS = "administrator"
COORDINATOR_GROUNDS = "team coordinator"
PARTICIPANT_GROUNDS = "visit participant"
NO_GROUNDS = "no relationship"
NOT_A_PARTICIPANT = "not a visit participant"
NOT_AN_ADMINISTRATOR = "not an administrator"
RETENTION_GROUNDS = "retention period ended"


@dataclass(frozen=True)
class Access:
    allowed: bool
    grounds: str

    def __bool__(self) -> bool:
        return self.allowed


DENIED = Access(False, NO_GROUNDS)


def _granted(allowed: bool, grounds: str) -> Access:
    return Access(True, grounds) if allowed else DENIED


def profile_of(user):
    return getattr(user, "staff_profile", None) if user is not None and user.is_authenticated else None


def own_teams(user) -> QuerySet[Team]:
    """The teams a staff member belongs to (none for others)."""
    profile = profile_of(user)
    if profile is None:
        return Team.objects.none()
    return profile.teams.all()


def visible_clients(user) -> QuerySet[Client]:
    """Clients whose data this user may see at all."""
    role = role_of(user)
    if role == ADMINISTRATOR:
        return Client.objects.all()
    if role == Role.COORDINATOR:
        return Client.objects.filter(team__in=own_teams(user))
    if role in (Role.ARTIST, Role.NURSE):
        takes_part = VisitParticipant.objects.filter(visit__client=OuterRef("pk"), staff=profile_of(user))
        return Client.objects.filter(Exists(takes_part))
    return Client.objects.none()


def visible_visits(user) -> QuerySet[Visit]:
    """Visits this user may see."""
    role = role_of(user)
    if role == ADMINISTRATOR:
        return Visit.objects.all()
    if role == Role.COORDINATOR:
        return Visit.objects.filter(pair__team__in=own_teams(user))
    if role in (Role.ARTIST, Role.NURSE):
        takes_part = VisitParticipant.objects.filter(visit=OuterRef("pk"), staff=profile_of(user))
        return Visit.objects.filter(Exists(takes_part))
    return Visit.objects.none()


def client_access(user, client: Client) -> Access:
    role = role_of(user)
    if role == ADMINISTRATOR:
        return Access(True, ADMINISTRATOR_GROUNDS)
    if role == Role.COORDINATOR:
        return _granted(own_teams(user).filter(pk=client.team_id).exists(), COORDINATOR_GROUNDS)
    if role in (Role.ARTIST, Role.NURSE):
        takes_part = VisitParticipant.objects.filter(visit__client=client, staff=profile_of(user)).exists()
        return _granted(takes_part, PARTICIPANT_GROUNDS)
    return DENIED


def visit_access(user, visit: Visit) -> Access:
    role = role_of(user)
    if role == ADMINISTRATOR:
        return Access(True, ADMINISTRATOR_GROUNDS)
    if role == Role.COORDINATOR:
        return _granted(own_teams(user).filter(pk=visit.pair.team_id).exists(), COORDINATOR_GROUNDS)
    if role in (Role.ARTIST, Role.NURSE):
        return _granted(visit.participants.filter(staff=profile_of(user)).exists(), PARTICIPANT_GROUNDS)
    return DENIED


def participant_access(user, visit: Visit) -> Access:
    """Writing a visit note or the visit's outcome: only the visit's own artist and nurse.

    Coordinators see the visit but do not write in it; a note is the author's own account.
    """
    if role_of(user) in (Role.ARTIST, Role.NURSE) and visit.participants.filter(staff=profile_of(user)).exists():
        return Access(True, PARTICIPANT_GROUNDS)
    return Access(False, NOT_A_PARTICIPANT)


def access_log_access(user, client: Client) -> Access:
    """Who may list who accessed a client's data: the client's own-team coordinators and administrators."""
    role = role_of(user)
    if role == ADMINISTRATOR:
        return Access(True, ADMINISTRATOR_GROUNDS)
    if role == Role.COORDINATOR:
        return _granted(own_teams(user).filter(pk=client.team_id).exists(), COORDINATOR_GROUNDS)
    return DENIED


def data_request_access(user, client: Client) -> Access:
    """Answering a data-subject request (the full export) is for administrators only."""
    if role_of(user) == ADMINISTRATOR:
        return Access(True, ADMINISTRATOR_GROUNDS)
    return Access(False, NOT_AN_ADMINISTRATOR)


def may_see_health_notes(user, access: Access) -> bool:
    """Nurses, coordinators and administrators with access; never artists."""
    return access.allowed and role_of(user) in (Role.NURSE, Role.COORDINATOR, ADMINISTRATOR)


def log_access(
    *,
    user,
    client_id: int | None,
    object_type: str,
    object_id: object = "",
    action: str,
    access: Access,
    channel: str = "web",
) -> AccessLog:
    """Append one row to the access log. Never raises on a missing client."""
    authenticated = user is not None and user.is_authenticated
    return AccessLog.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        client_id=client_id,
        object_type=object_type,
        object_id=str(object_id or ""),
        action=action,
        grounds=access.grounds,
        allowed=access.allowed,
        channel=channel,
    )


ClientRule = Callable[..., Access]
VisitRule = Callable[..., Access]


def _find_client(user, pk, rule: ClientRule) -> tuple[Client | None, Access]:
    client = Client.objects.select_related("team").filter(pk=pk).first()
    return client, (rule(user, client) if client is not None else DENIED)


def _find_visit(user, pk, rule: VisitRule) -> tuple[Visit | None, Access]:
    visit = Visit.objects.with_people().filter(pk=pk).first()
    return visit, (rule(user, visit) if visit is not None else DENIED)


def get_client_or_404(
    user,
    pk,
    *,
    action: str = AccessLog.Action.VIEW,
    channel: str = "web",
    object_type: str = "client",
    rule: ClientRule = client_access,
) -> tuple[Client, Access]:
    """The client if this user may see it, logged; otherwise a logged denial and 404.

    404 rather than 403 so that an outsider cannot learn that the client exists.
    `object_type` names what of the client's data is read ("client",
    "visit notes", "access log"); `rule` decides who may (default: client_access).
    """
    client, access = _find_client(user, pk, rule)
    log_access(
        user=user,
        client_id=client.pk if client is not None else None,
        object_type=object_type,
        object_id=pk,
        action=action,
        access=access,
        channel=channel,
    )
    if not access:
        raise Http404
    return client, access


def get_visit_or_404(
    user,
    pk,
    *,
    action: str = AccessLog.Action.VIEW,
    channel: str = "web",
    object_type: str = "visit",
    rule: VisitRule = visit_access,
) -> tuple[Visit, Access]:
    """The visit if this user may see it, logged against its client; otherwise a logged denial and 404."""
    visit, access = _find_visit(user, pk, rule)
    log_access(
        user=user,
        client_id=visit.client_id if visit is not None else None,
        object_type=object_type,
        object_id=pk,
        action=action,
        access=access,
        channel=channel,
    )
    if not access:
        raise Http404
    return visit, access


def authorise_client_or_404(
    user, pk, *, rule: ClientRule, object_type: str, action: str, channel: str = "web"
) -> tuple[Client, Access]:
    """Check before a service acts on a client's data: a refusal is logged here and raises 404.

    An allowed request is *not* logged here, because the service that then
    acts logs what it actually did; so each request leaves exactly one row.
    """
    client, access = _find_client(user, pk, rule)
    if not access:
        log_access(
            user=user,
            client_id=client.pk if client is not None else None,
            object_type=object_type,
            object_id=pk,
            action=action,
            access=access,
            channel=channel,
        )
        raise Http404
    return client, access


def authorise_visit_or_404(
    user, pk, *, rule: VisitRule, object_type: str, action: str, channel: str = "web"
) -> tuple[Visit, Access]:
    """Like `authorise_client_or_404`, for a visit: refusal logged here, the allowed act by its service."""
    visit, access = _find_visit(user, pk, rule)
    if not access:
        log_access(
            user=user,
            client_id=visit.client_id if visit is not None else None,
            object_type=object_type,
            object_id=pk,
            action=action,
            access=access,
            channel=channel,
        )
        raise Http404
    return visit, access


def refuse_object(user, object_type: str, pk) -> None:
    """Log a denied attempt on one object by a role the page is not for, and answer 404."""
    from visits.models import VisitSeries

    owners = {
        "client": Client.objects.filter(pk=pk).values_list("pk", flat=True),
        "visit": Visit.objects.filter(pk=pk).values_list("client_id", flat=True),
        "visit series": VisitSeries.objects.filter(pk=pk).values_list("client_id", flat=True),
    }
    log_access(
        user=user,
        client_id=owners[object_type].first(),
        object_type=object_type,
        object_id=pk,
        action=AccessLog.Action.VIEW,
        access=DENIED,
    )
    raise Http404


def client_for_page(request, pk) -> tuple[Client, Access]:
    """The client of a page that shows it on GET and hands a POST to a service.

    GET logs the read here; on POST only a refusal is logged here, since the
    service logs the change it makes: one row per request either way.
    """
    if request.method == "POST":
        return authorise_client_or_404(
            request.user, pk, rule=client_access, object_type="client", action=AccessLog.Action.UPDATE
        )
    return get_client_or_404(request.user, pk)


def visit_for_page(request, pk) -> tuple[Visit, Access]:
    """As client_for_page, for a visit."""
    if request.method == "POST":
        return authorise_visit_or_404(
            request.user, pk, rule=visit_access, object_type="visit", action=AccessLog.Action.UPDATE
        )
    return get_visit_or_404(request.user, pk)


# --- Colleagues, and the grounds of a scoped list (used by the API) -----------------


def visible_staff(user) -> QuerySet[StaffProfile]:
    """Colleagues: the staff of one's own teams (everyone, for an administrator)."""
    role = role_of(user)
    if role == ADMINISTRATOR:
        return StaffProfile.objects.all()
    if role is None:
        return StaffProfile.objects.none()
    return StaffProfile.objects.in_teams(own_teams(user))


def list_access(user) -> Access:
    """The grounds on which a user sees every row of visible_clients / visible_visits."""
    role = role_of(user)
    if role == ADMINISTRATOR:
        return Access(True, ADMINISTRATOR_GROUNDS)
    if role == Role.COORDINATOR:
        return Access(True, COORDINATOR_GROUNDS)
    if role in (Role.ARTIST, Role.NURSE):
        return Access(True, PARTICIPANT_GROUNDS)
    return DENIED


"""The one access policy: who may see and change which client data, and on what grounds.

Services, views, viewsets, forms and the admin ask `policy(user)`; none of
them keeps a private copy of a rule (docs/rules.md has the rules in words):

* an administrator sees and manages everything (grounds "administrator");
* a coordinator sees and manages the clients, visits and pairs of their own
  teams ("team coordinator");
* an artist or nurse sees the visits they take part in, the clients of those
  visits and their notes ("visit participant"), and writes in those visits;
* a manager sees no client-level data at all (aggregates only);
* which fields of a client each role sees is `client_fields` (access.fields).

The policy sits low, just above the staff directory (pairwork.models): it
imports no app that stores client data. It states its rules as conditions
(`Q`) over the relations those apps declare, and each app applies them to
its own models (`Client.objects.visible_to(user)`), so apps above can ask
it without an import cycle.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from pairwork.models import Role, StaffProfile, Team, WorkPair
from pairwork.roles import ADMINISTRATOR, role_of

from . import fields
from .choices import Grounds

VISITING_ROLES = frozenset({Role.ARTIST, Role.NURSE})
MANAGING_ROLES = frozenset({Role.COORDINATOR, ADMINISTRATOR})
# Health data (health notes, care-plan observations) and client outcome answers.
HEALTH_READERS = frozenset({Role.NURSE, Role.COORDINATOR, ADMINISTRATOR})

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Access:
    """A decision: allowed or not, and the grounds written to the access log."""

    allowed: bool
    grounds: str

    def __bool__(self) -> bool:
        return self.allowed


DENIED = Access(False, Grounds.NO_RELATIONSHIP)


def _granted(allowed: bool, grounds: str, refused: Access = DENIED) -> Access:
    return Access(True, grounds) if allowed else refused


def profile_of(user) -> StaffProfile | None:
    return getattr(user, "staff_profile", None) if user is not None and user.is_authenticated else None


class Policy:
    """What one user may see and do. Cheap to make: `policy(user)` for each question."""

    def __init__(self, user):
        self.user = user
        self.role = role_of(user)
        self.profile = profile_of(user)

    # --- Roles and grounds ------------------------------------------------------------------

    @property
    def is_administrator(self) -> bool:
        return self.role == ADMINISTRATOR

    @property
    def visits_clients(self) -> bool:
        """An artist or a nurse: someone who takes part in visits."""
        return self.role in VISITING_ROLES and self.profile is not None

    @property
    def manages(self) -> bool:
        return self.role in MANAGING_ROLES

    @property
    def grounds(self) -> Access:
        """The grounds on which this user sees whatever their scopes below contain."""
        if self.role == ADMINISTRATOR:
            return Access(True, Grounds.ADMINISTRATOR)
        if self.role == Role.COORDINATOR:
            return Access(True, Grounds.TEAM_COORDINATOR)
        if self.visits_clients:
            return Access(True, Grounds.VISIT_PARTICIPANT)
        return DENIED

    # --- Teams ------------------------------------------------------------------------------

    def own_teams(self) -> QuerySet[Team]:
        """The teams a staff member belongs to (none for others)."""
        return self.profile.teams.all() if self.profile is not None else Team.objects.none()

    def _own_teams_to_filter(self) -> list[int] | QuerySet[Team]:
        """`own_teams()` for a filter: their ids as literals when the session's user came with them.

        PostgreSQL plans `team_id IN (7)` for team 7 itself, with its own
        statistics and the (team, starts_at) order of its visits; for a
        subquery it can only assume an average team and may walk the whole
        region's visits in time order looking for this one's. The session's
        user carries the ids (pairwork.auth_backends); any other user object
        gets the subquery, which costs no query of its own.
        """
        if self.profile is None:
            return Team.objects.none()
        ids = getattr(self.user, "staff_team_ids", None)
        return ids if ids is not None else self.own_teams()

    def managed_teams(self) -> QuerySet[Team]:
        """Teams whose pairs, clients and visits this user may manage."""
        if self.role == ADMINISTRATOR:
            return Team.objects.all()
        if self.role == Role.COORDINATOR:
            return self.own_teams()
        return Team.objects.none()

    def manager_access(self, team_id: int | None) -> Access:
        """May manage this team's pairs, clients and visits, and on what grounds."""
        if self.role == ADMINISTRATOR:
            return Access(True, Grounds.ADMINISTRATOR)
        if self.role == Role.COORDINATOR:
            teams = self._own_teams_to_filter()
            member = team_id in teams if isinstance(teams, list) else teams.filter(pk=team_id).exists()
            return _granted(member, Grounds.TEAM_COORDINATOR)
        return DENIED

    def may_manage_team(self, team_id: int | None) -> bool:
        return self.manager_access(team_id).allowed

    def require_manager(self, team_id: int | None) -> Access:
        """For services: the grounds to log, or PermissionDenied."""
        access = self.manager_access(team_id)
        if not access:
            raise PermissionDenied
        return access

    def visible_staff(self) -> QuerySet[StaffProfile]:
        """Colleagues: the staff of one's own teams (everyone, for an administrator)."""
        if self.role == ADMINISTRATOR:
            return StaffProfile.objects.all()
        if self.role is None:
            return StaffProfile.objects.none()
        return StaffProfile.objects.in_teams(self.own_teams())

    def visible_pairs(self) -> QuerySet[WorkPair]:
        """Pairs this user may see: managers of the team, and the pair's own members."""
        if self.manages:
            return WorkPair.objects.filter(team__in=self.managed_teams())
        if self.visits_clients:
            return WorkPair.objects.filter(Q(artist=self.profile) | Q(nurse=self.profile))
        return WorkPair.objects.none()

    # --- Scopes: conditions over each app's models -------------------------------------------

    def _participations(self):
        return self.profile.visit_participations.all()

    def client_scope(self, via: str = "") -> Q:
        """Over clients.Client, or over a model whose foreign key `via` leads to a client."""
        if self.role == ADMINISTRATOR:
            return Q(**{f"{via}__isnull": False}) if via else Q()
        if self.role == Role.COORDINATOR:
            return Q(**{f"{via}__team__in" if via else "team__in": self._own_teams_to_filter()})
        if self.visits_clients:
            return Q(**{f"{via}__in" if via else "pk__in": self._participations().values("visit__client_id")})
        return NOTHING

    def visit_scope(self, via: str = "") -> Q:
        """Over visits.Visit, or over a model whose foreign key `via` leads to a visit."""
        if self.role == ADMINISTRATOR:
            return Q(**{f"{via}__isnull": False}) if via else Q()
        if self.role == Role.COORDINATOR:
            return Q(**{f"{via}__team__in" if via else "team__in": self._own_teams_to_filter()})
        if self.visits_clients:
            return Q(**{f"{via}__in" if via else "pk__in": self._participations().values("visit_id")})
        return NOTHING

    def series_scope(self) -> Q:
        """Over visits.VisitSeries: a coordinator's team's series; those a visit participant takes part in."""
        if self.role == ADMINISTRATOR:
            return Q()
        if self.role == Role.COORDINATOR:
            return Q(pair__team__in=self.own_teams())
        if self.visits_clients:
            return Q(pk__in=self._participations().values("visit__series_id"))
        return NOTHING

    def absence_scope(self) -> Q:
        """Over visits.StaffAbsence: staff data. Coordinators see their teams' people's; everyone their own."""
        if self.role == ADMINISTRATOR:
            return Q()
        own = Q(person=self.profile) if self.profile is not None else NOTHING
        if self.role == Role.COORDINATOR:
            return own | Q(person__in=StaffProfile.objects.in_teams(self.own_teams()).values("pk"))
        return own

    def absence_record_access(self, person, kind: str) -> Access:
        """Recording an absence: a coordinator of one of the person's teams, an administrator,
        or the person themself for their own sick leave (reported from the phone)."""
        if self.role == ADMINISTRATOR:
            return Access(True, Grounds.ADMINISTRATOR)
        if self.role == Role.COORDINATOR and self.coordinates(person.pk):
            return Access(True, Grounds.TEAM_COORDINATOR)
        if self.profile is not None and person.pk == self.profile.pk and kind == "sick_leave" and self.visits_clients:
            return Access(True, Grounds.VISIT_PARTICIPANT)
        return DENIED

    def coordinates(self, person_id: int) -> bool:
        """Is a coordinator of one of this person's teams."""
        return self.role == Role.COORDINATOR and Team.objects.filter(
            pk__in=self.own_teams().values("pk"), members=person_id
        ).exists()

    def absence_manager_access(self, absence) -> Access:
        """Shortening or withdrawing an absence: a coordinator of the person's team, or an administrator."""
        if self.role == ADMINISTRATOR:
            return Access(True, Grounds.ADMINISTRATOR)
        if self.role == Role.COORDINATOR and self.coordinates(absence.person_id):
            return Access(True, Grounds.TEAM_COORDINATOR)
        return DENIED

    def note_scope(self) -> Q:
        """Over visits.VisitNote: the notes of the visits one may see."""
        return self.visit_scope(via="participant__visit")

    def response_scope(self) -> Q:
        """Over wellbeing.SurveyResponse: one's own answers, and the outcome answers of clients one may see."""
        readable = Q(respondent=self.profile) if self.profile is not None else NOTHING
        if self.role in HEALTH_READERS:
            readable |= self.client_scope(via="client")
        return readable

    # --- One object ---------------------------------------------------------------------------

    def client_access(self, client) -> Access:
        if self.role == ADMINISTRATOR:
            return Access(True, Grounds.ADMINISTRATOR)
        if self.role == Role.COORDINATOR:
            return _granted(self.own_teams().filter(pk=client.team_id).exists(), Grounds.TEAM_COORDINATOR)
        if self.visits_clients:
            return _granted(self._participations().filter(visit__client_id=client.pk).exists(), Grounds.VISIT_PARTICIPANT)
        return DENIED

    def takes_part(self, visit) -> bool:
        """Is one of the visit's own artist and nurse."""
        return self.visits_clients and self._participations().filter(visit_id=visit.pk).exists()

    def visit_access(self, visit) -> Access:
        if self.role == ADMINISTRATOR:
            return Access(True, Grounds.ADMINISTRATOR)
        if self.role == Role.COORDINATOR:
            return _granted(self.own_teams().filter(pk=visit.pair.team_id).exists(), Grounds.TEAM_COORDINATOR)
        return _granted(self.takes_part(visit), Grounds.VISIT_PARTICIPANT)

    def participant_access(self, visit) -> Access:
        """Writing a visit note, the outcome or the pulse: only the visit's own artist and nurse.

        Coordinators see the visit but do not write in it; a note is the author's own account.
        """
        return _granted(self.takes_part(visit), Grounds.VISIT_PARTICIPANT, Access(False, Grounds.NOT_A_PARTICIPANT))

    def note_author_access(self, note) -> Access:
        """Editing a visit note: only its author (the partner reads it, never rewrites it)."""
        is_author = self.profile is not None and note.participant.staff_id == self.profile.pk
        return _granted(is_author, Grounds.VISIT_PARTICIPANT, Access(False, Grounds.NOT_THE_AUTHOR))

    def visit_manager_access(self, visit) -> Access:
        """Rescheduling or cancelling a visit: managing its pair's team."""
        return self.manager_access(visit.pair.team_id)

    def series_access(self, series) -> Access:
        """A visit series, as its pair's team (coordinators) or its client (everyone else) decides."""
        if self.role == Role.COORDINATOR:
            return self.manager_access(series.pair.team_id)
        return self.client_access(series.client)

    def access_log_access(self, client) -> Access:
        """Listing who accessed a client's data: the client's own-team coordinators and administrators."""
        if self.manages:
            return self.client_access(client)
        return DENIED

    def data_request_access(self, client=None) -> Access:
        """Answering a data-subject request (the full export) is for administrators only."""
        return _granted(self.is_administrator, Grounds.ADMINISTRATOR, Access(False, Grounds.NOT_AN_ADMINISTRATOR))

    def outcome_read_access(self, client) -> Access:
        """Reading a client's outcome answers: nurses who visit them, their coordinators, administrators."""
        return self.client_access(client) if self.role in HEALTH_READERS else DENIED

    @property
    def follows_measurement_schedules(self) -> bool:
        """Who sees when a client's measurements are due: the nurses who visit the client (they
        record them) and the team's coordinators (they follow up)."""
        return self.role in (Role.NURSE, Role.COORDINATOR)

    def measurement_schedule_access(self, client) -> Access:
        return self.client_access(client) if self.follows_measurement_schedules else DENIED

    def outcome_record_access(self, client) -> Access:
        """Recording a client's outcome measures with them: a nurse who visits the client."""
        return self.client_access(client) if self.role == Role.NURSE else DENIED

    # --- Least data -----------------------------------------------------------------------------

    @property
    def sees_health_data(self) -> bool:
        """Health notes and the nurse's care-plan observations: nurses, coordinators, administrators."""
        return self.role in HEALTH_READERS

    @property
    def client_fields(self) -> frozenset[str]:
        """The client's fields this user sees wherever a client is shown (access.fields)."""
        return fields.client_fields_for(self.role)


def policy(user) -> Policy:
    """The policy for one user."""
    return Policy(user)

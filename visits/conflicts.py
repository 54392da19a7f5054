"""Double bookings: the database refuses them, this module explains them.

PostgreSQL keeps docs/rules.md rule 1 with two exclusion constraints
(`visit_client_no_overlap` on visits, `visitparticipant_person_no_overlap` on
participants). Python never decides whether a slot is free before writing;
it writes, and when the database says no, `translate_overlap_errors` turns
the IntegrityError into a `SchedulingConflict` that names who is busy and
when. This is the only place that knows those constraint names.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client
from pairwork.models import Role

from .models import Visit, VisitParticipant

OVERLAP_CONSTRAINTS = frozenset({"visit_client_no_overlap", "visitparticipant_person_no_overlap"})


def format_local_range(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """'12.3.2026 10:00–11:00' in Europe/Helsinki (both dates when it spans midnight)."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() == end.date():
        return f"{format_local_date(start)} {start:%H:%M}–{end:%H:%M}"
    return f"{format_local_date(start)} {start:%H:%M}–{format_local_date(end)} {end:%H:%M}"


def format_local_days(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """'1.3.2026–5.3.2026' for whole Helsinki days from `starts_at` to the midnight `ends_at` (exclusive)."""
    first = timezone.localdate(starts_at)
    last = timezone.localdate(ends_at - dt.timedelta(seconds=1))
    return format_local_date(first) if first == last else f"{format_local_date(first)}–{format_local_date(last)}"


def format_local_date(moment: dt.datetime | dt.date) -> str:
    """'12.3.2026': day first, as read in Finland, unambiguous in every UI language."""
    return f"{moment.day}.{moment.month}.{moment.year}"


@dataclass(frozen=True)
class Clash:
    """One reason a slot is taken: a busy person or a busy client, and when.

    `other_client_name` and `other_visit_id` are filled only when the person
    who asked may see that other client (docs/rules.md rule 3); otherwise the
    message says "another visit". `other_client_id` is kept for the record
    (and the access log) but never shown or serialised.
    """

    # "person", "client" (another visit) or "absence": with staff_id the person is absent then
    # (visits.absences), without it the client is away then (visits.ClientAbsence).
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    staff_id: int | None = None
    person_name: str = ""
    role: str = ""
    client_name: str = ""
    other_client_name: str = ""
    other_visit_id: int | None = None
    other_client_id: int | None = field(default=None, repr=False)
    absence_kind: str = ""
    absence_period: str = ""

    @property
    def message(self) -> str:
        when = format_local_range(self.starts_at, self.ends_at)
        if self.kind == "client":
            return _("%(client)s already has a visit %(when)s.") % {"client": self.client_name, "when": when}
        if self.kind == "absence" and self.staff_id is None:
            return _("%(client)s is away %(when)s; no visits can be booked then.") % {
                "client": self.client_name, "when": format_local_days(self.starts_at, self.ends_at),
            }
        role = Role(self.role).label if self.role else ""
        if self.kind == "absence":
            from .models import AbsenceKind

            kind = AbsenceKind(self.absence_kind).label if self.absence_kind in AbsenceKind.values else ""
            return _("%(person)s (%(role)s) is absent %(when)s (%(kind)s).") % {
                "person": self.person_name, "role": role, "when": self.absence_period or when, "kind": kind,
            }
        if self.other_client_name:
            return _("%(person)s (%(role)s) is busy %(when)s (visit to %(other)s).") % {
                "person": self.person_name, "role": role, "when": when, "other": self.other_client_name,
            }
        return _("%(person)s (%(role)s) is busy %(when)s (another visit).") % {
            "person": self.person_name, "role": role, "when": when,
        }

    def as_dict(self) -> dict:
        """The public facts, e.g. for the API's 409 body."""
        return {
            "kind": self.kind,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "staff_id": self.staff_id,
            "person_name": self.person_name,
            "role": self.role,
            "client_name": self.client_name,
            "other_client_name": self.other_client_name,
            "other_visit_id": self.other_visit_id,
            "absence_kind": self.absence_kind,
            "message": self.message,
        }

    def to_record(self) -> dict:
        """What is stored with a skipped occurrence: no client names, resolved again when shown."""
        return {
            "kind": self.kind,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "staff_id": self.staff_id,
            "person_name": self.person_name,
            "role": self.role,
            "other_client_id": self.other_client_id,
            "absence_kind": self.absence_kind,
            "absence_period": self.absence_period,
        }


def clashes_from_records(records: Iterable[dict], *, viewer, client) -> list[Clash]:
    """Stored clash facts as Clashes, naming other clients only where `viewer` may see them (one query)."""
    records = list(records)
    other_ids = {r["other_client_id"] for r in records if r.get("other_client_id")}
    names = (
        {c.pk: str(c) for c in Client.objects.visible_to(viewer).filter(pk__in=other_ids).only("first_name", "last_name")}
        if other_ids
        else {}
    )
    clashes = []
    for record in records:
        other_id = record.get("other_client_id")
        clashes.append(
            Clash(
                kind=record["kind"],
                starts_at=dt.datetime.fromisoformat(record["starts_at"]),
                ends_at=dt.datetime.fromisoformat(record["ends_at"]),
                staff_id=record.get("staff_id"),
                person_name=record.get("person_name", ""),
                role=record.get("role", ""),
                client_name=str(client) if record["kind"] in ("client", "absence") else "",
                other_client_name=names.get(other_id, ""),
                other_client_id=other_id,
                absence_kind=record.get("absence_kind", ""),
                absence_period=record.get("absence_period", ""),
            )
        )
    return clashes


class SchedulingConflict(Exception):
    """The requested time is taken: who is busy, when, as structured facts.

    Raised by every scheduling service (schedule, series, reschedule). The web
    forms show `messages`; the API answers 409 with `as_dict()`.
    """

    def __init__(self, *, starts_at: dt.datetime, ends_at: dt.datetime, clashes: Iterable[Clash]):
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.clashes: tuple[Clash, ...] = tuple(clashes)
        super().__init__(" ".join(self.messages))

    @property
    def messages(self) -> list[str]:
        if not self.clashes:
            # The other booking vanished between the refusal and our look-up.
            return [_("The time %(when)s was just taken; please try again.") % {"when": format_local_range(self.starts_at, self.ends_at)}]
        return [clash.message for clash in self.clashes]

    @property
    def busy_staff_ids(self) -> set[int]:
        return {clash.staff_id for clash in self.clashes if clash.staff_id is not None}

    @property
    def disclosed_client_ids(self) -> set[int]:
        """Other clients whose name this conflict reveals (for the access log)."""
        return {clash.other_client_id for clash in self.clashes if clash.other_client_name and clash.other_client_id}

    def as_dict(self) -> dict:
        return {
            "detail": " ".join(self.messages),
            "requested": {"starts_at": self.starts_at.isoformat(), "ends_at": self.ends_at.isoformat()},
            "conflicts": [clash.as_dict() for clash in self.clashes],
        }


def find_clashes(
    *,
    viewer,
    client,
    staff: Iterable,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_visit_ids: Iterable[int] = (),
) -> list[Clash]:
    """Everything that occupies [starts_at, ends_at) for this client or these people.

    Three queries whatever the numbers: the client's visits, the people's
    participations, and which of the other clients `viewer` may see.
    """
    exclude_visit_ids = list(exclude_visit_ids)
    staff = list(staff)
    clashes: list[Clash] = []
    if client is not None:
        client_visits = (
            Visit.objects.active().between(starts_at, ends_at).filter(client=client).exclude(pk__in=exclude_visit_ids)
        )
        clashes += [
            Clash(kind="client", starts_at=v.starts_at, ends_at=v.ends_at, client_name=str(client))
            for v in client_visits.order_by("starts_at")
        ]
    busy = list(
        VisitParticipant.objects.filter(staff__in=staff).busy_between(starts_at, ends_at)
        .exclude(visit_id__in=exclude_visit_ids)
        .select_related("staff__user", "visit__client")
        .order_by("visit__starts_at", "role")
    )
    seeable = set(
        Client.objects.visible_to(viewer).filter(pk__in={p.visit.client_id for p in busy}).values_list("pk", flat=True)
    ) if busy else set()
    for participation in busy:
        visit = participation.visit
        may_see = visit.client_id in seeable
        clashes.append(
            Clash(
                kind="person",
                starts_at=visit.starts_at,
                ends_at=visit.ends_at,
                staff_id=participation.staff_id,
                person_name=participation.staff.display_name,
                role=participation.role,
                other_client_id=visit.client_id,
                other_client_name=str(visit.client) if may_see else "",
                other_visit_id=visit.pk if may_see else None,
            )
        )
    return clashes


def is_overlap_error(error: IntegrityError) -> bool:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) in OVERLAP_CONSTRAINTS


@contextmanager
def translate_overlap_errors(
    *, viewer, client, staff: Iterable, starts_at: dt.datetime, ends_at: dt.datetime, exclude_visit_ids: Iterable[int] = ()
) -> Iterator[None]:
    """Run the writes in a savepoint; an overlap refusal becomes a SchedulingConflict.

    The savepoint matters: after a constraint error the transaction is
    unusable until rolled back to it, and we still need to ask who is busy.
    The exclusion constraint waits for a competing transaction to finish
    before refusing, so by then its visit is committed and visible here.
    """
    staff = list(staff)
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if not is_overlap_error(error):
            raise
        clashes = find_clashes(
            viewer=viewer, client=client, staff=staff, starts_at=starts_at, ends_at=ends_at,
            exclude_visit_ids=exclude_visit_ids,
        )
        raise SchedulingConflict(starts_at=starts_at, ends_at=ends_at, clashes=clashes) from error


def client_absence_clashes(*, client, starts_at: dt.datetime, ends_at: dt.datetime) -> list[Clash]:
    """The client's recorded absences (visits.ClientAbsence) that [starts_at, ends_at) falls into. One query.

    Not a database constraint (an absence is days, a visit a range), so the
    booking services ask this while holding the client's row lock, which
    recording an absence takes too: neither can slip past the other.
    """
    from pairwork.timing import local_midnight

    from .models import ClientAbsence

    if client is None:
        return []
    first, last = timezone.localdate(starts_at), timezone.localdate(ends_at - dt.timedelta(microseconds=1))
    absences = ClientAbsence.objects.filter(
        client=client, withdrawn_at__isnull=True, starts_on__lte=last, ends_on__gte=first
    ).order_by("starts_on")
    return [
        Clash(
            kind="absence", starts_at=local_midnight(absence.starts_on),
            ends_at=local_midnight(absence.ends_on + dt.timedelta(days=1)), client_name=str(client),
        )
        for absence in absences
    ]


def refuse_when_client_away(*, client, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """Raise a SchedulingConflict (409 in the API) if the client is away during the slot."""
    clashes = client_absence_clashes(client=client, starts_at=starts_at, ends_at=ends_at)
    if clashes:
        raise SchedulingConflict(starts_at=starts_at, ends_at=ends_at, clashes=clashes)

"""Which pair should visit this client at this time — ranked, with the reasons shown.

docs/rules.md rule 2: continuity first. Among the client's team's pairs
working that day, the order is

1. bookable before busy (a busy pair is listed last, marked, and cannot be picked);
2. a pair with one of the client's familiar nurses;
3. more of the client's preferred art forms in the pair;
4. more members who speak the client's language;
5. both people within their weekly availability, and with the team's travel
   time from and to their other visits at other addresses (visits.travel);
6. the client's primary nurse, between pairs equal so far (a primary nurse
   does not outweigh the art forms, the language and the working hours);
7. then by name, so equal pairs keep a stable order.

The first bookable pair is the recommended one (labelled so, and preselected).

A fixed number of queries however many pairs and visits there are.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import CareRelationship, Client
from pairwork.choices import ArtForm, Language
from pairwork.models import StaffProfile, WeeklyAvailability, WorkPair

from .conflicts import Clash, client_absence_clashes, find_clashes
from .travel import TightTransfer, tight_transfers


@dataclass(frozen=True)
class Reason:
    text: str
    positive: bool


@dataclass
class PairSuggestion:
    pair: WorkPair
    familiar: bool = False
    primary: bool = False
    shared_art_forms: list[str] = field(default_factory=list)
    speakers: list[StaffProfile] = field(default_factory=list)
    outside_availability: list[StaffProfile] = field(default_factory=list)
    busy: list[Clash] = field(default_factory=list)
    tight: list[TightTransfer] = field(default_factory=list)
    language: str = ""

    @property
    def bookable(self) -> bool:
        return not self.busy

    def sort_key(self) -> tuple:
        return (
            not self.bookable,
            not self.familiar,
            -len(self.shared_art_forms),
            -len(self.speakers),
            len(self.outside_availability) + len(self.tight),
            not self.primary,
            self.pair.artist.display_name,
            self.pair.nurse.display_name,
            self.pair.pk,
        )

    @property
    def reasons(self) -> list[Reason]:
        nurse = self.pair.nurse.display_name
        reasons = []
        if self.primary:
            reasons.append(Reason(_("%(nurse)s is the client's primary nurse") % {"nurse": nurse}, True))
        elif self.familiar:
            reasons.append(Reason(_("%(nurse)s is a nurse the client knows") % {"nurse": nurse}, True))
        else:
            reasons.append(Reason(_("No familiar nurse in this pair"), False))
        if self.shared_art_forms:
            forms = ", ".join(str(ArtForm(code).label) for code in self.shared_art_forms)
            reasons.append(Reason(_("Art forms the client likes: %(forms)s") % {"forms": forms}, True))
        else:
            reasons.append(Reason(_("None of the client's preferred art forms"), False))
        language = str(Language(self.language).label) if self.language in Language.values else self.language
        if len(self.speakers) == 2:
            reasons.append(Reason(_("Both speak %(language)s") % {"language": language}, True))
        elif self.speakers:
            reasons.append(Reason(_("Only %(person)s speaks %(language)s") % {
                "person": self.speakers[0].display_name, "language": language,
            }, False))
        else:
            reasons.append(Reason(_("Neither speaks %(language)s") % {"language": language}, False))
        if self.busy:
            reasons += [Reason(clash.message, False) for clash in self.busy]
        elif self.outside_availability:
            names = ", ".join(person.display_name for person in self.outside_availability)
            reasons.append(Reason(_("Free, but outside the weekly availability of %(names)s") % {"names": names}, False))
        elif not self.tight:
            reasons.append(Reason(_("Both free and within their weekly availability"), True))
        if not self.busy:
            reasons += [Reason(transfer.message, False) for transfer in self.tight]
        return reasons


@dataclass
class Suggestions:
    """Ranked pairs, plus what already occupies the client at that time."""

    pairs: list[PairSuggestion]
    client_clashes: list[Clash]

    @property
    def bookable(self) -> list[PairSuggestion]:
        return [suggestion for suggestion in self.pairs if suggestion.bookable]


def _within_availability(person: StaffProfile, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() != end.date():
        return False
    return any(
        slot.weekday == start.weekday() and slot.starts_at <= start.time() and end.time() <= slot.ends_at
        for slot in person.availability.all()
    )


def candidate_pairs(client: Client, day: dt.date):
    """The client's team's pairs working on `day`, with people and availability (three queries)."""
    slots = WeeklyAvailability.objects.order_by("weekday", "starts_at")
    return (
        WorkPair.objects.active_on(day)
        .filter(team_id=client.team_id)
        .with_people()
        .prefetch_related(Prefetch("artist__availability", queryset=slots), Prefetch("nurse__availability", queryset=slots))
    )


def suggest_pairs(*, client: Client, starts_at: dt.datetime, ends_at: dt.datetime, viewer) -> Suggestions:
    """Rank the pairs that could visit `client` at [starts_at, ends_at), best first, with reasons."""
    pairs = list(candidate_pairs(client, timezone.localdate(starts_at)))
    familiar = dict(CareRelationship.objects.filter(client=client).values_list("nurse_id", "is_primary"))
    people = {person.pk: person for pair in pairs for person in (pair.artist, pair.nurse)}
    clashes = find_clashes(viewer=viewer, client=client, staff=people.values(), starts_at=starts_at, ends_at=ends_at)
    busy_by_person: dict[int, list[Clash]] = defaultdict(list)
    for clash in clashes:
        if clash.kind == "person":
            busy_by_person[clash.staff_id].append(clash)
    preferred = set(client.preferred_art_forms)
    tight_by_person: dict[int, list[TightTransfer]] = defaultdict(list)
    for transfer in tight_transfers(
        people=people.values(), address=client.street_address, starts_at=starts_at, ends_at=ends_at,
        buffer_minutes=client.team.travel_buffer_minutes,
    ):
        tight_by_person[transfer.person.pk].append(transfer)

    suggestions = []
    for pair in pairs:
        members = (pair.artist, pair.nurse)
        suggestions.append(PairSuggestion(
            pair=pair,
            familiar=pair.nurse_id in familiar,
            primary=familiar.get(pair.nurse_id, False),
            shared_art_forms=sorted(preferred & (set(pair.artist.art_forms) | set(pair.nurse.art_forms))),
            speakers=[person for person in members if client.language in person.languages],
            outside_availability=[person for person in members if not _within_availability(person, starts_at, ends_at)],
            busy=busy_by_person[pair.artist_id] + busy_by_person[pair.nurse_id],
            tight=tight_by_person[pair.artist_id] + tight_by_person[pair.nurse_id],
            language=client.language,
        ))
    suggestions.sort(key=PairSuggestion.sort_key)
    away = client_absence_clashes(client=client, starts_at=starts_at, ends_at=ends_at)
    return Suggestions(pairs=suggestions, client_clashes=away + [clash for clash in clashes if clash.kind == "client"])

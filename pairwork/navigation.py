"""The main navigation, declared once: who sees which entry.

Entries name URL patterns rather than paths. Pages are added by several
people in parallel, so an entry whose URL name does not resolve yet is
skipped silently; it appears as soon as its page exists. To add a page to
the menu, append one `NavEntry` here.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Role
from .roles import ADMINISTRATOR

COORDINATOR, ARTIST, NURSE, MANAGER = Role.COORDINATOR.value, Role.ARTIST.value, Role.NURSE.value, Role.MANAGER.value
EVERY_ROLE = frozenset({COORDINATOR, ARTIST, NURSE, MANAGER, ADMINISTRATOR})
ROLE_LABELS = {**dict(Role.choices), ADMINISTRATOR: _("Administrator")}


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    roles: frozenset[str]
    description: str | Promise = ""


NAVIGATION: list[NavEntry] = [
    NavEntry(_("Home"), "home", EVERY_ROLE),
    NavEntry(_("My visits"), "visits:my_visits", frozenset({ARTIST, NURSE})),
    NavEntry(_("Calendar"), "visits:calendar", frozenset({COORDINATOR})),
    NavEntry(_("Clients"), "clients:list", frozenset({COORDINATOR})),
    NavEntry(_("Absences"), "visits:absences", frozenset({COORDINATOR})),
    NavEntry(_("Work pairs"), "pairwork:pairs", frozenset({COORDINATOR})),
    NavEntry(_("Measurements due"), "wellbeing:due_measurements", frozenset({COORDINATOR})),
    NavEntry(_("Dashboard"), "wellbeing:dashboard", frozenset({MANAGER})),
    NavEntry(_("Administration"), "admin:index", frozenset({ADMINISTRATOR})),
]

# The cards on each role's home page, resolved the same way as the menu.
SHORTCUTS: list[NavEntry] = [
    NavEntry(_("Clients"), "clients:list", frozenset({COORDINATOR}), _("Needs, wishes, familiar nurses and service circle.")),
    NavEntry(_("Calendar"), "visits:calendar", frozenset({COORDINATOR}), _("The team's week: schedule and move joint visits.")),
    NavEntry(_("Work pairs"), "pairwork:pairs", frozenset({COORDINATOR}), _("Form artist–nurse pairs and their shared agreements.")),
    NavEntry(_("Absences"), "visits:absences", frozenset({COORDINATOR}), _("Sick leave, holidays and training, and the visits they affect.")),
    NavEntry(_("Measurements due"), "wellbeing:due_measurements", frozenset({COORDINATOR}), _("Clients whose baseline or follow-up outcome measure is due or overdue.")),
    NavEntry(_("Wellbeing dashboard"), "wellbeing:dashboard", frozenset({MANAGER}), _("Staff wellbeing, client outcomes and visits, per team and month.")),
    NavEntry(_("Administration"), "admin:index", frozenset({ADMINISTRATOR}), _("Everything the administrator manages.")),
    NavEntry(_("Users"), "admin:auth_user_changelist", frozenset({ADMINISTRATOR}), _("Accounts, roles and teams.")),
    NavEntry(_("Survey instruments"), "admin:wellbeing_instrument_changelist", frozenset({ADMINISTRATOR}), _("Questionnaires, items and scales.")),
    NavEntry(_("Access log"), "admin:access_accesslog_changelist", frozenset({ADMINISTRATOR}), _("Who read or changed a client's data.")),
]


@dataclass(frozen=True)
class NavLink:
    """An entry resolved for one request: where it goes and whether we are there.

    `aria_current` is "page" on the entry's own page, "true" on a page below it
    (e.g. one client under Clients) and "" elsewhere.
    """

    label: str | Promise
    url: str
    aria_current: str
    description: str | Promise = ""

    @property
    def is_current(self) -> bool:
        return bool(self.aria_current)


def _aria_current(url: str, path: str) -> str:
    if path == url:
        return "page"
    # Every path starts with the home page's "/": only its own page counts.
    if url != "/" and path.startswith(url):
        return "true"
    return ""


def links_for(role: str | None, path: str, entries: list[NavEntry] | None = None) -> list[NavLink]:
    """The entries `role` may see, in declaration order. A mistyped URL name fails loudly (NoReverseMatch)."""
    if role is None:
        return []
    links = []
    for entry in NAVIGATION if entries is None else entries:
        if role not in entry.roles:
            continue
        url = reverse(entry.url_name)
        links.append(NavLink(entry.label, url, _aria_current(url, path), entry.description))
    return links

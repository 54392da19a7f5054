"""axe-core over every main page of each role, admin included: no serious or critical violation.

The pages are those of the demo world (`seed_demo`, as `make run` shows it),
so that lists, calendars, charts and forms have real content to check. Artists
and nurses are checked on a phone (390×844), the others on a desktop.

axe-core is vendored (static/vendor/axe-core/, see its README) and only these
tests load it, with `page.add_script_tag(url=...)` from the app's own static
files: a script from our own origin, which the strict Content-Security-Policy
allows as it is (script-src 'self'). `add_script_tag(path=...)` would insert
an inline <script>, which the policy rightly refuses; no context bypasses the
policy, so each page is checked under the policy it really has.

One thing axe does is refused by the policy and forgiven here: to read a
stylesheet's `@import` (the Django admin's forms.css imports widgets.css) it
adds a <style> element of its own, an inline style. Those refusals, made while
axe runs and only of inline styles, are dropped from the page's record; any
other refusal still fails the test.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from pairwork.models import WorkPair
from tests.browser.conftest import watch_csp_violations
from visits.models import Visit, VisitNote, VisitStatus

pytestmark = pytest.mark.browser

AXE = "vendor/axe-core/axe.min.js"
BLOCKING = ("serious", "critical")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# What axe is asked to check: WCAG 2.0–2.2 A and AA and its best practices (impact decides what fails).
RUN_AXE = """async () => {
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
        resultTypes: ['violations'],
    });
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.map(n => n.target.join(' ')),
        summaries: v.nodes.map(n => n.failureSummary),
    }));
}"""


def axe_violations(page) -> list[dict]:
    """The serious and critical violations axe finds on the page as it is now."""
    if page.evaluate("typeof axe") == "undefined":
        page.add_script_tag(url=static(AXE))
    refused_before = len(page.csp_violations)
    violations = page.evaluate(RUN_AXE)
    axes_own = page.csp_violations[refused_before:]
    assert all(text.startswith("Applying inline style") for text in axes_own), axes_own
    del page.csp_violations[refused_before:]
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(found: dict[str, list[dict]]) -> str:
    lines = []
    for name, violations in found.items():
        for violation in violations:
            lines.append(f"{name}: {violation['id']} ({violation['impact']}): {violation['help']}")
            for target, summary in zip(violation["targets"], violation["summaries"]):
                lines.append(f"    {target}  --  {' '.join(summary.split())[:300]}")
    return "\n".join(lines)


@pytest.fixture
def open_as(browser, live_server, sign_in_as):
    """`open_as(username, viewport)`: a page signed in as that demo user, in a context of its own."""
    contexts, pages = [], []

    def open_page(username: str, viewport: dict):
        context = browser.new_context(
            viewport=viewport, has_touch=viewport is PHONE, locale="en-GB",
            timezone_id="Europe/Helsinki", base_url=live_server.url,
        )
        context.set_default_timeout(10_000)
        sign_in_as(context, get_user_model().objects.get(username=username))
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        watch_csp_violations(page)
        pages.append(page)
        return page

    yield open_page
    refused = [text for page in pages for text in page.csp_violations]
    errors = [text for page in pages for text in page.errors]
    for context in contexts:
        context.close()
    assert refused == [], "the Content-Security-Policy refused something"
    assert errors == [], "a page raised a JavaScript error"


@pytest.fixture
def world(demo_data):
    """The objects whose pages are checked: the demo pair, today's visit and its client, a note."""
    demo_pair = WorkPair.objects.get(artist__user__username="taiteilija", nurse__user__username="hoitaja")
    today = timezone.localdate()
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    todays_visit = (
        Visit.objects.filter(pair=demo_pair, starts_at__gte=start_of_today)
        .filter(starts_at__lt=start_of_today + dt.timedelta(days=1))
        .exclude(status=VisitStatus.CANCELLED)
        .order_by("starts_at")
        .first()
    )
    assert todays_visit is not None, "the demo pair has a visit today"
    # A time next week when the demo pair is busy, for another client who knows its nurse: the
    # suggestions then have a busy row with a reason in its favour (green on the row's light grey).
    next_week = start_of_today + dt.timedelta(days=7)
    active = Visit.objects.exclude(status=VisitStatus.CANCELLED)
    busy = active.filter(pair=demo_pair, starts_at__gte=next_week).order_by("starts_at").first()
    overlapping = active.filter(starts_at__lt=busy.ends_at, ends_at__gt=busy.starts_at)
    other_client = (
        Client.objects.filter(
            team=busy.client.team, consent_given=True, archived_at__isnull=True,
            care_relationships__nurse=demo_pair.nurse,
        )
        .exclude(pk__in=overlapping.values("client_id"))
        .order_by("pk")
        .first()
    )
    assert other_client is not None, "another client of the demo nurse is free then"
    local_start = timezone.localtime(busy.starts_at)
    busy_search = urlencode({
        "client": other_client.pk, "day": local_start.date().isoformat(),
        "start_time": local_start.strftime("%H:%M"), "duration_minutes": busy.duration_minutes,
    })
    return {
        "pair": demo_pair,
        "visit": todays_visit,
        "client": todays_visit.client,
        "note": VisitNote.objects.order_by("pk").first(),
        "today": today,
        "busy_search": busy_search,
        "future_visit": busy,
    }


def coordinator_pages(world) -> dict[str, str]:
    client_id = world["client"].pk
    return {
        "home": reverse("home"),
        "measurements due": reverse("wellbeing:due_measurements"),
        "clients list": reverse("clients:list"),
        "client detail": reverse("clients:detail", args=[client_id]),
        "client edit form": reverse("clients:edit", args=[client_id]),
        "schedule": reverse("visits:schedule") + f"?client={client_id}",
        "client absences": reverse("clients:absences", args=[client_id]),
        "staff absences": reverse("visits:absences"),
        "next free times": reverse("visits:free_times") + f"?client={client_id}",
        "schedule with suggestions, one pair busy": reverse("visits:schedule") + "?" + world["busy_search"],
        "week calendar": reverse("visits:calendar"),
        "day calendar": reverse("visits:calendar_day", args=[world["today"].isoformat()]),
        "visit page": reverse("visits:detail", args=[world["visit"].pk]),
        "stand-ins for a visit": reverse("visits:stand_ins", args=[world["future_visit"].pk])
        + f"?person={world['pair'].artist_id}",
        "stand-ins for a person's week": reverse("visits:stand_ins_for_person") + "?" + urlencode({
            "staff": world["pair"].artist_id, "date_from": world["today"].isoformat(),
            "date_to": (world["today"] + dt.timedelta(days=6)).isoformat(),
        }),
        "pairs list": reverse("pairwork:pairs"),
        "pair detail": reverse("pairwork:pair_detail", args=[world["pair"].pk]),
    }


def phone_pages(world) -> dict[str, str]:
    visit_id = world["visit"].pk
    return {
        "home": reverse("home"),
        "my visits": reverse("visits:my_visits"),
        "visit page": reverse("visits:detail", args=[visit_id]),
        "visit note form": reverse("visits:note", args=[visit_id]),
        "pulse survey": reverse("wellbeing:pulse", args=[visit_id]),
        "monthly survey": reverse("wellbeing:monthly"),
    }


def admin_pages(world) -> dict[str, str]:
    return {
        "admin index": reverse("admin:index"),
        "admin client change form": reverse("admin:clients_client_change", args=[world["client"].pk]),
        "admin visit change page": reverse("admin:visits_visit_change", args=[world["visit"].pk]),
        "admin visit note change": reverse("admin:visits_visitnote_change", args=[world["note"].pk]),
        "client access-log page": reverse("clients:access_log", args=[world["client"].pk]),
    }


def check_pages(page, pages: dict[str, str]) -> dict[str, list[dict]]:
    found = {}
    for name, url in pages.items():
        response = page.goto(url)
        assert response.ok, f"{name} ({url}) answered {response.status}"
        found[name] = axe_violations(page)
    return found


def assert_no_blocking(found: dict[str, list[dict]]) -> None:
    assert len(found) > 0
    failing = {name: violations for name, violations in found.items() if violations}
    assert not failing, "axe found serious or critical violations:\n" + describe(failing)


def test_coordinator_pages(open_as, world):
    page = open_as("koordinaattori", DESKTOP)
    found = check_pages(page, coordinator_pages(world))
    page.goto(reverse("visits:schedule") + "?" + world["busy_search"])
    busy_rows = page.locator("#suggestions .suggestion.list-group-item-light")
    assert busy_rows.locator(".reason-for").count() > 0, "a busy pair's row with a reason in its favour was checked"
    assert_no_blocking(found)


@pytest.mark.parametrize("username", ["hoitaja", "taiteilija"])
def test_nurse_and_artist_pages_on_a_phone(open_as, world, username):
    page = open_as(username, PHONE)
    pages = phone_pages(world)
    if username == "hoitaja":
        pages["client outcome form"] = reverse("wellbeing:client_outcome", args=[world["client"].pk])
    assert_no_blocking(check_pages(page, pages))


def test_sign_in_page(page, world):
    page.goto(reverse("login"))
    found = {"sign-in page": axe_violations(page)}
    page.get_by_label("Username").fill("hoitaja")
    page.get_by_label("Password").fill("not the password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    found["sign-in page with its error"] = axe_violations(page)
    assert_no_blocking(found)


def test_manager_pages(open_as, world):
    page = open_as("esihenkilo", DESKTOP)
    found = check_pages(page, {"dashboard": reverse("wellbeing:dashboard")})
    page.wait_for_function("[...document.querySelectorAll('canvas[data-chart]')].every(c => c.width > 0)")
    # Long tables start folded; unfolded, their scrolling boxes are checked too.
    page.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")
    found["dashboard (charts drawn, tables open)"] = axe_violations(page)
    # The sick-leave cost form, sent with a value it refuses: the page with the field error.
    cost = page.get_by_label("Cost of one sick-leave day")
    cost.fill("-5")
    with page.expect_navigation():
        cost.press("Enter")
    assert page.locator("#sick_leave_cost .invalid-feedback").is_visible(), "the cost form shows its field error"
    found["sick-leave cost page (with a field error)"] = axe_violations(page)
    assert_no_blocking(found)


def test_administrator_pages(open_as, world):
    page = open_as("yllapitaja", DESKTOP)
    assert_no_blocking(check_pages(page, admin_pages(world)))


def test_pulse_radios_are_touch_targets_on_a_phone(open_as, world):
    """Each radio of the pulse survey can be hit with a finger: its clickable box (the input or
    its label) is at least 44 px high and wide, and five answers still fit on one line."""
    page = open_as("hoitaja", PHONE)
    page.goto(reverse("wellbeing:pulse", args=[world["visit"].pk]))
    boxes = page.evaluate("""() => [...document.querySelectorAll('input[type=radio]')].map(radio => {
        const label = radio.closest('label') || (radio.id && document.querySelector(`label[for="${radio.id}"]`));
        const own = radio.getBoundingClientRect(), box = label ? label.getBoundingClientRect() : own;
        const clickable = box.height * box.width >= own.height * own.width ? box : own;
        return {name: radio.name, value: radio.value, width: clickable.width, height: clickable.height,
                top: Math.round(own.top)};
    })""")
    assert len(boxes) >= 15, "three questions of five answers"
    too_small = [box for box in boxes if box["height"] < 44 or box["width"] < 44]
    assert too_small == [], f"radios whose clickable box is under 44 × 44 px: {too_small}"
    rows = {}
    for box in boxes:
        rows.setdefault(box["name"], set()).add(box["top"])
    assert all(len(tops) == 1 for tops in rows.values()), f"each question's answers on one line: {rows}"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "nothing wider than the phone"

    # Tapping a number's box chooses it.
    three = page.locator("input[name=calm][value='3']")
    page.locator(f"label[for='{three.get_attribute('id')}']").click(position={"x": 40, "y": 40})
    assert three.is_checked()

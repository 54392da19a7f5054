"""Signing in and out, the lockout, the shared layout, and each role's home page."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from pairwork.navigation import NavEntry, links_for
from workspace.home import local_day_bounds
from tests import factories as f
from tests.conftest import login
from visits.models import VisitStatus

pytestmark = pytest.mark.django_db

HOME_HEADINGS = {
    "coordinator": "Coordinator’s overview",
    "artist": "Artist’s day",
    "nurse": "Nurse’s day",
    "manager": "Manager’s overview",
    "admin_user": "Administration",
}


def sign_in(client, username: str, password: str = f.PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def today_now_or_later():
    """A start time that is today in Helsinki and not yet over an hour later, even just before midnight."""
    start_of_today, _ = local_day_bounds(timezone.localdate())
    return max(start_of_today, timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5))


# --- Signing in ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", list(HOME_HEADINGS))
def test_each_role_signs_in_on_the_login_page_and_lands_on_its_own_home(client, request, persona):
    person = request.getfixturevalue(persona)
    user = getattr(person, "user", person)

    response = sign_in(client, user.username)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == str(user.pk)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert f"<h1 class=\"h2 mb-3\">{HOME_HEADINGS[persona]}</h1>" in home.content.decode()
    for other, heading in HOME_HEADINGS.items():
        if other != persona:
            assert heading not in home.content.decode()


def test_login_page_focuses_the_username_and_labels_both_fields(client):
    page = client.get(reverse("login")).content.decode()

    assert 'name="username"' in page and "autofocus" in page
    assert 'for="id_username"' in page and 'id="id_username"' in page
    assert 'for="id_password"' in page and 'id="id_password"' in page


def test_a_wrong_password_shows_a_clear_error_and_signs_nobody_in(client, nurse):
    response = sign_in(client, "hanna", "not-the-password")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "Please enter a correct username and password" in page
    assert signed_in_user_id(client) is None
    assert AccessAttempt.objects.get(username="hanna").failures_since_start == 1


def test_after_five_failures_even_the_right_password_is_refused_with_a_lockout_page(client, nurse):
    for _ in range(4):
        assert sign_in(client, "hanna", "wrong-guess").status_code == 200

    fifth = sign_in(client, "hanna", "wrong-guess")
    assert fifth.status_code == 429

    locked = sign_in(client, "hanna", f.PASSWORD)

    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    page = locked.content.decode()
    assert "Sign-in temporarily locked" in page
    assert "Try again in 30 minutes." in page
    assert "Traceback" not in page
    assert signed_in_user_id(client) is None
    attempt = AccessAttempt.objects.get(username="hanna")
    # Axes' default: an attempt during the lockout counts too and restarts the 30 minutes.
    assert attempt.failures_since_start == 6
    assert attempt.ip_address == "127.0.0.1"
    assert "Salasana" not in attempt.post_data  # axes masks the password it stores


def test_the_lockout_is_per_account_so_another_person_can_still_sign_in(client, nurse, artist):
    for _ in range(5):
        sign_in(client, "hanna", "wrong-guess")

    response = sign_in(client, "aino")

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(artist.user.pk)
    assert not AccessAttempt.objects.filter(username="aino").exists()


def test_a_successful_sign_in_clears_earlier_failures(client, nurse):
    for _ in range(3):
        sign_in(client, "hanna", "wrong-guess")

    assert sign_in(client, "hanna").status_code == 302
    assert not AccessAttempt.objects.filter(username="hanna").exists()


# --- Signing out ----------------------------------------------------------------------------------


def test_signing_out_needs_a_post(client, nurse):
    login(client, nurse)

    assert client.get(reverse("logout")).status_code == 405
    assert signed_in_user_id(client) == str(nurse.user.pk)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert signed_in_user_id(client) is None
    assert "You have signed out." in client.get(reverse("login")).content.decode()


def test_the_user_menu_signs_out_with_a_post_form(client, nurse):
    login(client, nurse)

    page = client.get(reverse("home")).content.decode()

    assert f'<form method="post" action="{reverse("logout")}">' in page


def test_anonymous_home_redirects_to_the_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


# --- Languages ------------------------------------------------------------------------------------


def test_the_default_language_is_finnish(client, settings, nurse):
    settings.LANGUAGE_CODE = "fi"

    login_page = client.get(reverse("login")).content.decode()
    assert '<html lang="fi"' in login_page
    assert "Kirjaudu Työpariin" in login_page

    login(client, nurse)
    home = client.get(reverse("home")).content.decode()
    assert "Hoitajan päivä" in home
    assert "Tänään" in home


def test_the_language_switcher_sets_swedish(client, nurse):
    login(client, nurse)

    response = client.post(reverse("set_language"), {"language": "sv", "next": reverse("home")})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.cookies["django_language"].value == "sv"
    home = client.get(reverse("home")).content.decode()
    assert '<html lang="sv"' in home
    assert "Vårdarens dag" in home
    assert 'value="sv" lang="sv"' in home


@pytest.mark.parametrize("ui_language", ["fi", "sv", "en"])
def test_the_language_switcher_names_each_language_in_itself_with_csrf(client, settings, ui_language):
    settings.LANGUAGE_CODE = ui_language

    page = client.get(reverse("login")).content.decode()

    assert f'action="{reverse("set_language")}" method="post"' in page
    for code, name in [("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")]:
        assert re.search(rf'value="{code}" lang="{code}"\s+class="[^"]*"( aria-current="true")?>{name}</button>', page)
    assert re.search(rf'value="{ui_language}" lang="{ui_language}"\s+class="[^"]* active" aria-current="true">', page)
    assert page.count("csrfmiddlewaretoken") >= 2  # switcher and sign-in form


# --- Layout and navigation ----------------------------------------------------------------------------


def test_the_layout_has_a_skip_link_and_landmarks(client, nurse):
    login(client, nurse)

    page = client.get(reverse("home")).content.decode()

    assert '<a class="skip-link visually-hidden-focusable" href="#main">Skip to content</a>' in page
    for landmark in ("<header>", '<nav class="navbar', '<main id="main"', "<footer"):
        assert landmark in page
    assert "/static/vendor/bootstrap/bootstrap.min.css" in page
    assert "cdn" not in page.lower()


def test_administrators_see_the_admin_link_and_nurses_do_not(client, admin_user, nurse):
    login(client, admin_user)
    assert f'href="{reverse("admin:index")}">Administration</a>' in client.get(reverse("home")).content.decode()

    login(client, nurse)
    page = client.get(reverse("home")).content.decode()
    assert reverse("admin:index") not in page
    assert "Administration" not in page


def test_the_current_page_is_marked_in_the_menu(client, nurse):
    login(client, nurse)

    page = client.get(reverse("home")).content.decode()

    assert f'<a class="nav-link active" href="/" aria-current="page">Home</a>' in page


def test_menu_entries_follow_the_role():
    entries = [
        NavEntry("Home", "home", frozenset({"coordinator", "nurse"})),
        NavEntry("Admin", "admin:index", frozenset({"coordinator"})),
    ]

    coordinator_links = links_for("coordinator", "/admin/", entries)
    nurse_links = links_for("nurse", "/", entries)

    assert [(link.label, link.url, link.aria_current) for link in coordinator_links] == [
        ("Home", "/", ""),
        ("Admin", "/admin/", "page"),
    ]
    assert [link.label for link in nurse_links] == ["Home"]
    assert links_for(None, "/", entries) == []


def test_a_menu_entry_with_a_mistyped_url_name_fails_loudly():
    entries = [NavEntry("Typo", "visits:no_such_page", frozenset({"coordinator"}))]

    with pytest.raises(NoReverseMatch):
        links_for("coordinator", "/", entries)


# --- Home pages -------------------------------------------------------------------------------------


def test_a_user_without_a_role_gets_a_polite_page_and_no_data(client, pair, client_record):
    f.make_visit(pair=pair, client=client_record)
    nobody = f.UserFactory(username="uusi")
    login(client, nobody)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your account has no role yet" in page
    assert "Helmi" not in page and "Kallio" not in page
    assert response.context["nav_links"] == []


def test_nurse_sees_own_visits_today_and_upcoming_but_not_other_pairs(client, pair, nurse, team, django_assert_num_queries):
    helmi = f.ClientFactory(team=team, first_name="Helmi", last_name="Tänään")
    toivo = f.ClientFactory(team=team, first_name="Toivo", last_name="Huomenna")
    _, end_of_today = local_day_bounds(timezone.localdate())
    f.make_visit(pair=pair, client=helmi, starts_at=today_now_or_later())
    for day in range(1, 4):
        f.make_visit(pair=pair, client=toivo, starts_at=end_of_today + dt.timedelta(days=day, hours=10))
    f.make_visit(
        pair=pair, client=toivo, starts_at=end_of_today + dt.timedelta(days=5, hours=10),
        status=VisitStatus.CANCELLED, cancellation_reason="Asiakas sairaalassa",
    )
    f.make_visit(pair=pair, client=toivo, starts_at=timezone.now() - dt.timedelta(days=3))  # already over
    stranger = f.ClientFactory(team=team, first_name="Vieras", last_name="Muualla")
    f.make_visit(pair=f.WorkPairFactory(team=team), client=stranger)
    login(client, nurse)

    # session, user with staff profile, today's visits and upcoming visits (each with its participants, who may be
    # stand-ins), pending pulses, this month's survey, measurements due (Helmi's and Toivo's baselines), one's own
    # absence, and the one INSERT that logs every list
    with django_assert_num_queries(11):
        response = client.get(reverse("home"))

    assert [v.client.first_name for v in response.context["today_visits"]] == ["Helmi"]
    assert [v.client.first_name for v in response.context["upcoming_visits"]] == ["Toivo"] * 3
    page = response.content.decode()
    assert "Helmi Tänään" in page
    assert "with artist Aino Taiteilija" in page
    assert "Vieras" not in page


def test_the_nurse_home_query_count_does_not_grow_with_the_visits(client, pair, nurse, team):
    login(client, nurse)
    _, end_of_today = local_day_bounds(timezone.localdate())

    def queries_for_home() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("home"))
        return len(captured)

    f.make_visit(pair=pair, client=f.ClientFactory(team=team), starts_at=end_of_today + dt.timedelta(hours=10))
    with_one = queries_for_home()
    for day in range(1, 6):
        f.make_visit(pair=pair, client=f.ClientFactory(team=team), starts_at=end_of_today + dt.timedelta(days=day, hours=10))

    assert queries_for_home() == with_one


def test_artist_without_visits_sees_the_empty_states(client, artist):
    login(client, artist)

    page = client.get(reverse("home")).content.decode()

    assert "No visits today." in page
    assert "No upcoming visits." in page


def test_coordinator_sees_todays_visit_counts_of_own_teams_only(
    client, coordinator, pair, team, other_team, django_assert_num_queries
):
    start_of_today, end_of_today = local_day_bounds(timezone.localdate())
    today = today_now_or_later()
    f.make_visit(pair=pair, starts_at=today)
    f.make_visit(pair=f.WorkPairFactory(team=team), starts_at=today)  # a second pair of the team
    f.make_visit(pair=pair, starts_at=end_of_today + dt.timedelta(hours=10))  # tomorrow
    f.make_visit(pair=pair, starts_at=start_of_today - dt.timedelta(hours=2))  # yesterday
    f.make_visit(pair=f.WorkPairFactory(team=other_team), starts_at=today)
    login(client, coordinator)

    # session, user with staff profile, teams with their counts, visits that need attention (an absent person)
    with django_assert_num_queries(4):
        response = client.get(reverse("home"))

    assert [(t.name, t.visits_today) for t in response.context["teams"]] == [("Kallio", 2)]
    page = response.content.decode()
    assert f'data-team-visits-today="{team.pk}">2</td>' in page
    assert "Espoo" not in page


def test_a_cancelled_visit_is_not_counted_for_today(client, coordinator, pair):
    f.make_visit(pair=pair, starts_at=today_now_or_later(), status=VisitStatus.CANCELLED, cancellation_reason="Peruttu")
    login(client, coordinator)

    response = client.get(reverse("home"))

    assert response.context["teams"][0].visits_today == 0


def test_manager_home_links_to_the_wellbeing_dashboard(client, manager):
    login(client, manager)

    page = client.get(reverse("home")).content.decode()

    assert "Wellbeing dashboard" in page
    assert f'href="{reverse("wellbeing:dashboard")}"' in page
    assert "Kallio" in page


def test_administrator_home_links_to_admin_users_instruments_and_access_log(client, admin_user):
    f.UserFactory(username="uusi")
    login(client, admin_user)

    page = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("admin:index")}"' in page
    assert f'href="{reverse("admin:auth_user_changelist")}"' in page
    assert f'href="{reverse("admin:wellbeing_instrument_changelist")}"' in page
    assert f'href="{reverse("admin:access_accesslog_changelist")}"' in page
    assert "1 active account has no role yet." in page


def test_password_change_uses_the_shared_layout(client, nurse):
    login(client, nurse)

    response = client.get(reverse("password_change"))

    assert response.status_code == 200
    assert '<main id="main"' in response.content.decode()


def test_an_organisation_wide_manager_sees_every_team(client, team, other_team):
    manager = f.ManagerFactory(user__username="johtaja", organisation_wide=True)
    login(client, manager)

    response = client.get(reverse("home"))

    assert [t.name for t in response.context["teams"]] == ["Espoo", "Kallio"]


# --- The phone day: today's paperwork stays on the home page until it is done ----------------------

def test_todays_ended_visit_stays_on_the_staff_home_until_outcome_and_own_note_are_done(pair, nurse, artist, team):
    from visits import notes
    from visits.outcomes import record_visit_outcome
    from workspace.home import staff_home

    start_of_today, _ = local_day_bounds(timezone.localdate())
    afternoon = start_of_today + dt.timedelta(hours=15)
    morning = f.make_visit(pair=pair, client=f.ClientFactory(team=team, first_name="Aamu"), starts_at=afternoon - dt.timedelta(hours=5))
    later = f.make_visit(pair=pair, client=f.ClientFactory(team=team, first_name="Ilta"), starts_at=afternoon + dt.timedelta(hours=2))
    f.make_visit(pair=pair, client=f.ClientFactory(team=team, first_name="Eilen"), starts_at=start_of_today - dt.timedelta(hours=10))

    def today_for(person):
        return {v.client.first_name: (v.needs_outcome, v.needs_note) for v in staff_home(user=person.user, now=afternoon)["today_visits"]}

    # Ended at 11:00, nothing recorded yet; the evening visit has not begun, so nothing is due for it.
    assert today_for(nurse) == {"Aamu": (True, True), "Ilta": (False, False)}

    record_visit_outcome(visit=morning, by=nurse.user, status=VisitStatus.COMPLETED, channel="web")
    assert today_for(nurse) == {"Aamu": (False, True), "Ilta": (False, False)}

    notes.log_visit_note(
        participant=morning.participants.get(staff=nurse), by=nurse.user,
        content={"art_form": "music", "activities": "Lauloimme.", "engagement": 4, "mood_before": 3, "mood_after": 4,
                 "care_plan_observations": "", "next_visit_suggestions": "", "free_text": ""},
    )
    # The nurse is done with the morning; the artist has still to write hers.
    assert today_for(nurse) == {"Ilta": (False, False)}
    assert today_for(artist) == {"Aamu": (False, True), "Ilta": (False, False)}
    assert later.pk in {v.pk for v in staff_home(user=artist.user, now=afternoon)["today_visits"]}


def test_the_home_card_says_what_is_still_to_do(client, pair, nurse, team):
    f.make_visit(pair=pair, client=f.ClientFactory(team=team, first_name="Aamu"), starts_at=today_now_or_later())
    login(client, nurse)

    page = client.get(reverse("home")).content.decode()

    assert "Aamu" in page and "Outcome to record" in page and "Note to write" in page

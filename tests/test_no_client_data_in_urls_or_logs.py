"""No client name, address or health text in any URL, log line or error report."""
import io
import logging
import re
import sys

import pytest
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django.views.debug import get_exception_reporter_class

from clients.models import Client
from pairwork.log_privacy import REDACTED, RedactClientData
from tests.conftest import login

# Test data kept here, far from the code that fails with it: the HTML error
# report quotes source lines around each frame, and those are code, not data.
SECRET_CLIENT = {
    "first_name": "Helmi",
    "last_name": "Salainen",
    "street_address": "Piilokatu 7",
    "health_notes": "Terveystieto: sydänsairaus.",
}
PRIVATE = tuple(SECRET_CLIENT.values())
POSTED_NOTE = {"activities": " ".join(PRIVATE[:2]) + " lauloi.", "free_text": PRIVATE[3]}

NAME_LIKE = re.compile(r"name|first|last|address|street|postal|phone|email|health|diagnos|birth", re.I)


def route_parameters(patterns, prefix=""):
    """(route, parameter name, converter class name) for every parameter of every URL in the project."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        converters = getattr(pattern.pattern, "converters", {})
        for name, converter in converters.items():
            yield route, name, type(converter).__name__
        if isinstance(pattern, URLResolver):
            yield from route_parameters(pattern.url_patterns, route)
        if isinstance(pattern.pattern, RegexPattern):
            for name in re.findall(r"\(\?P<(\w+)>", pattern.pattern._regex):
                yield route, name, "regex"


def test_no_url_parameter_is_a_name_address_or_health_text():
    offending = [
        (route, name) for route, name, _ in route_parameters(get_resolver().url_patterns)
        if NAME_LIKE.search(name) and not route.startswith("admin/")
    ]
    assert offending == []


def test_visits_and_clients_urls_take_integer_ids_only():
    resolver = get_resolver()
    app_patterns = [
        p for p in resolver.url_patterns if isinstance(p, URLResolver) and p.namespace in ("visits", "clients")
    ]
    parameters = list(route_parameters(app_patterns))
    assert parameters, "expected the visit and client pages to take ids"
    # Two deliberate exceptions: a calendar date, and the calendar feed's secret token.
    not_ids = {(name, converter) for _, name, converter in parameters if converter != "IntConverter"}
    assert not_ids <= {("day", "regex"), ("token", "StringConverter")}


@pytest.fixture
def helmi(client_record):
    client_record.health_notes = "Terveystieto: sydänsairaus."
    client_record.save(update_fields=["health_notes"])
    return client_record


def private_texts(client_record):
    return [client_record.first_name, client_record.last_name, client_record.street_address, client_record.health_notes]


def test_links_on_the_visit_page_carry_ids_only(client, todays_visit, helmi, nurse):
    login(client, nurse)

    html = client.get(reverse("visits:detail", args=[todays_visit.pk])).content.decode()

    hrefs = re.findall(r'(?:href|action)="([^"]*)"', html)
    assert hrefs
    for href in hrefs:
        for private in private_texts(helmi):
            assert private.split()[0].lower() not in href.lower()


def test_a_whole_visit_logs_nothing_about_the_client(client, todays_visit, helmi, nurse, coordinator, note_content, caplog):
    caplog.set_level(logging.DEBUG)
    login(client, nurse)
    client.get(reverse("visits:detail", args=[todays_visit.pk]))
    client.post(reverse("visits:note", args=[todays_visit.pk]), {**note_content, "free_text": helmi.health_notes})
    client.post(reverse("visits:outcome", args=[todays_visit.pk]), {"status": "completed"})
    client.get(reverse("clients:notes", args=[helmi.pk]))
    login(client, coordinator)
    client.get(reverse("clients:access_log", args=[helmi.pk]))

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for private in private_texts(helmi) + [note_content["activities"]]:
        assert private not in logged


def database_error_naming_the_client(team) -> IntegrityError:
    """A real PostgreSQL error whose DETAIL quotes the failing row, names and all."""
    try:
        with transaction.atomic():
            Client.objects.create(team=team, area="Kallio", consent_given=True, consent_date=None, **SECRET_CLIENT)
    except IntegrityError as error:
        return error
    raise AssertionError("the consent check constraint should have refused the row")


def test_postgresql_quotes_the_row_in_its_error(team):
    # The reason the filter exists: without it, this text reaches the log.
    assert SECRET_CLIENT["last_name"] in str(database_error_naming_the_client(team))


def test_the_configured_log_handler_redacts_database_quoted_rows(team):
    error = database_error_naming_the_client(team)
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, RedactClientData) for f in h.filters))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        try:
            raise error
        except IntegrityError:
            logging.getLogger("django.request").error("Internal Server Error: %s", "/visits/12/note/", exc_info=True)
        logging.getLogger("visits").warning("Could not save: %s", error)
    finally:
        handler.setStream(previous)

    output = stream.getvalue()
    assert "Internal Server Error: /visits/12/note/" in output
    assert "IntegrityError" in output and REDACTED in output
    for private in PRIVATE:
        assert private not in output


def test_error_reports_show_no_posted_text_locals_or_quoted_rows(team):
    error = database_error_naming_the_client(team)
    request = RequestFactory().post("/visits/12/note/", POSTED_NOTE)
    request.user = None

    def view_that_fails(client_name, address):
        raise error

    try:
        view_that_fails(SECRET_CLIENT["first_name"], SECRET_CLIENT["street_address"])
    except IntegrityError:
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info(), is_email=True)
        text = reporter.get_traceback_text()
        html = reporter.get_traceback_html()

    assert "activities" in text and "client_name" in html  # which, not what
    for private in PRIVATE:
        assert private not in text
        assert private not in html

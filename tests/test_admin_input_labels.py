"""Every input of the admin's client form has a name of its own (docs: pairwork/admin_labels.py).

The browser's accessibility test (tests/browser/test_accessibility.py) checks
the whole page with axe; this one pins the names, and runs without a browser.
"""
from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories as f
from tests.conftest import login

INPUT = re.compile(r"<(?:input|select|textarea)\b[^>]*>")


def attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', tag)
    return found.group(1) if found else None


@pytest.fixture
def client_with_two_nurses(client_record, team, nurse):
    f.CareRelationshipFactory(client=client_record, nurse=f.NurseFactory(team=team), is_primary=False)
    return client_record


def test_the_date_and_time_boxes_and_every_row_input_are_named(client, admin_user, client_with_two_nurses):
    login(client, admin_user)
    html = client.get(reverse("admin:clients_client_change", args=[client_with_two_nurses.pk])).content.decode()
    tags = {attribute(tag, "id"): tag for tag in INPUT.findall(html) if attribute(tag, "id")}

    assert attribute(tags["id_archived_at_0"], "aria-label") == "Archived: date"
    assert attribute(tags["id_archived_at_1"], "aria-label") == "Archived: time"
    assert attribute(tags["id_care_relationships-0-is_primary"], "aria-label") == "Primary nurse (row 1)"
    assert attribute(tags["id_care_relationships-1-since"], "aria-label") == "Since (row 2)"
    assert attribute(tags["id_care_relationships-1-DELETE"], "aria-label") == "Delete (row 2)"
    # The empty row the admin copies for "Add another" is named by its column alone.
    assert attribute(tags["id_care_relationships-__prefix__-since"], "aria-label") == "Since"

    # Every visible input is named by a <label for> or an aria-label.
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    unnamed = [
        name for name, tag in tags.items()
        if attribute(tag, "type") != "hidden" and name not in labelled and not attribute(tag, "aria-label")
    ]
    assert unnamed == []


def test_the_names_are_in_the_users_language(client, admin_user, client_with_two_nurses):
    login(client, admin_user)
    with translation.override("fi"):
        html = client.get(
            reverse("admin:clients_client_change", args=[client_with_two_nurses.pk]), HTTP_ACCEPT_LANGUAGE="fi"
        ).content.decode()
    assert "päivämäärä" in html and "(rivi 2)" in html

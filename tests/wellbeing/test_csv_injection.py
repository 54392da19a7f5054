"""A dashboard export cannot carry a formula into the manager's spreadsheet, whatever a team is called."""
from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tests.conftest import login
from wellbeing import aggregation

from .conftest import bulk_staff
from .test_dashboard import answer_pulses, this_month  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

FORMULA_NAME = "=cmd|' /C calc'!A0"


def test_a_team_renamed_to_a_formula_is_exported_as_text(client, org_manager, team, this_month):
    team.name = FORMULA_NAME
    team.save(update_fields=["name"])
    answer_pulses(team, bulk_staff(team, 6, prefix="k"), this_month)
    aggregation.rebuild_all()
    login(client, org_manager)

    export = client.get(reverse("wellbeing:dashboard_export", args=["pulse"]))

    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    teams = {row[1] for row in rows[1:]}
    assert "'" + FORMULA_NAME in teams
    assert FORMULA_NAME not in teams
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)

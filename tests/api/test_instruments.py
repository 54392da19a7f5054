"""Survey instruments over the API (read)."""
from __future__ import annotations

import pytest

from wellbeing.models import Instrument, Item, Scale

INSTRUMENTS = "/api/v1/instruments/"


def make_pulse() -> Instrument:
    pulse = Instrument.objects.create(
        code="post_visit_pulse", name_fi="Käynnin jälkeen", name_en="After the visit", audience="staff",
        time_points=["post_visit"],
    )
    scale = Scale.objects.create(instrument=pulse, code="calm", name_fi="Rauhallisuus", name_en="Calm")
    Item.objects.create(
        instrument=pulse, scale=scale, code="calm", position=1, text_fi="Tilanne oli rauhallinen",
        text_en="The situation was calm", min_label_en="Not at all", max_label_en="Completely",
    )
    Item.objects.create(instrument=pulse, code="energy", position=2, text_fi="Tunnen itseni energiseksi")
    return pulse


@pytest.fixture
def pulse(db):
    # Only this module's instruments in the list: set aside the three the wellbeing migrations ship.
    Instrument.objects.all().delete()
    return make_pulse()


@pytest.mark.parametrize("persona", ["artist", "nurse", "coordinator", "manager", "admin_user"])
def test_every_role_reads_instruments_with_items(persona, request, api_as, pulse):
    response = api_as(request.getfixturevalue(persona)).get(INSTRUMENTS)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["code"], row["name"], row["time_points"]) == ("post_visit_pulse", "After the visit", ["post_visit"])
    assert [(i["code"], i["scale"], i["text"]) for i in row["items"]] == [
        ("calm", "calm", "The situation was calm"), ("energy", None, "Tunnen itseni energiseksi"),
    ]


def test_instrument_texts_follow_the_request_language(api_as, nurse, pulse):
    row = api_as(nurse).get(f"{INSTRUMENTS}{pulse.pk}/", HTTP_ACCEPT_LANGUAGE="fi").json()
    assert row["name"] == "Käynnin jälkeen"


def test_instruments_filter_by_time_point(api_as, nurse, pulse):
    Instrument.objects.create(code="monthly", name_fi="Kuukausi", audience="staff", time_points=["monthly"])
    rows = api_as(nurse).get(INSTRUMENTS, {"time_point": "monthly"}).json()["results"]
    assert [r["code"] for r in rows] == ["monthly"]


def test_instruments_are_not_for_anonymous_callers(api, pulse):
    assert api.get(INSTRUMENTS).status_code == 401


def test_a_missing_instrument_is_404(api_as, nurse):
    assert api_as(nurse).get(f"{INSTRUMENTS}999999/").status_code == 404

"""The shipped instruments, and why an answered version never changes."""
import pytest
from django.db import IntegrityError, transaction

from wellbeing import metrics
from wellbeing.models import Instrument, Item, TimePoint
from wellbeing.selectors import current_instrument
from wellbeing.services import create_instrument_version, submit_response

from .conftest import GOOD_PULSE


def test_the_three_instruments_ship_in_finnish_swedish_and_english(db):
    shipped = Instrument.objects.filter(code__in=[metrics.PULSE, metrics.MONTHLY, metrics.CLIENT_OUTCOME], version=1)
    assert shipped.count() == 3
    for instrument in shipped:
        assert instrument.name_fi and instrument.name_sv and instrument.name_en
        for part in [*instrument.items.all(), *instrument.scales.all()]:
            for language in ("fi", "sv", "en"):
                text = getattr(part, f"text_{language}", None) or getattr(part, f"name_{language}")
                assert text, (part.code, language)


def test_shipped_items_have_the_ranges_and_reverse_scoring_of_the_brief(db):
    items = {item.code: item for item in Item.objects.filter(instrument__version=1)}
    assert [(items[c].scale_min, items[c].scale_max) for c in ("calm", "time_to_meet", "energised")] == [(1, 5)] * 3
    assert (items["work_ability"].scale_min, items["work_ability"].scale_max) == (0, 10)
    assert items["anxiety"].reverse_scored and not items["life_satisfaction"].reverse_scored
    assert all((items[c].scale_min, items[c].scale_max) == (0, 10) for c in ("life_satisfaction", "worthwhile", "happiness", "anxiety"))
    client_instrument = current_instrument(metrics.CLIENT_OUTCOME)
    assert client_instrument.time_points == [TimePoint.BASELINE, TimePoint.FOLLOW_UP]


def test_an_unanswered_instrument_can_still_be_edited(pulse_instrument):
    Item.objects.filter(instrument=pulse_instrument, code="calm").update(text_en="The visit felt calm.")
    assert pulse_instrument.items.get(code="calm").text_en == "The visit felt calm."


def test_postgres_refuses_to_change_an_answered_version(pulse_instrument, past_visit, nurse):
    submit_response(
        instrument=pulse_instrument, time_point=TimePoint.POST_VISIT, answers=GOOD_PULSE, team=past_visit.pair.team,
        recorded_by=nurse.user, respondent=nurse, visit=past_visit,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(instrument=pulse_instrument, code="calm").update(text_en="Changed afterwards")
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(instrument=pulse_instrument, code="new_question", text_fi="Uusi?", position=9)
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.filter(pk=pulse_instrument.pk).update(time_points=["monthly"])
    # What it is called and whether it is offered may still change.
    Instrument.objects.filter(pk=pulse_instrument.pk).update(name_en="Pulse", is_active=False)
    assert pulse_instrument.items.get(code="calm").text_en == "The situation during the visit was calm."


def test_a_new_version_copies_the_questions_and_takes_the_old_one_out_of_use(pulse_instrument):
    copy = create_instrument_version(instrument=pulse_instrument)
    pulse_instrument.refresh_from_db()
    assert (copy.version, copy.is_active, pulse_instrument.is_active) == (2, True, False)
    assert sorted(copy.items.values_list("code", "scale__code")) == sorted(pulse_instrument.items.values_list("code", "scale__code"))
    assert current_instrument(metrics.PULSE) == copy


def test_the_admin_shows_an_answered_version_read_only_and_makes_a_new_one(client, admin_user, pulse_instrument, past_visit, nurse):
    submit_response(
        instrument=pulse_instrument, time_point=TimePoint.POST_VISIT, answers=GOOD_PULSE, team=past_visit.pair.team,
        recorded_by=nurse.user, respondent=nurse, visit=past_visit,
    )
    client.force_login(admin_user)
    page = client.get(f"/admin/wellbeing/instrument/{pulse_instrument.pk}/change/")
    assert page.status_code == 200
    assert 'name="items-0-text_en"' not in page.content.decode()  # the questions cannot be edited
    response = client.post(
        "/admin/wellbeing/instrument/", {"action": "make_new_version", "_selected_action": [pulse_instrument.pk]}
    )
    assert response.status_code == 302
    new = current_instrument(metrics.PULSE)
    assert new.version == 2 and new.items.count() == 3
    editable = client.get(f"/admin/wellbeing/instrument/{new.pk}/change/")
    assert 'name="items-0-text_en"' in editable.content.decode()

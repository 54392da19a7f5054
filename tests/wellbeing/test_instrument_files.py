"""Instruments as JSON files: export and import give the same instrument, a wrong file is refused field by
field, and importing never changes a version that has answers."""
from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from wellbeing import metrics
from wellbeing.instrument_files import instrument_definition, instrument_file, parse_instrument_file
from wellbeing.models import Instrument, Item, Scale, SurveyResponse, TimePoint
from wellbeing.selectors import current_instrument
from wellbeing.services import create_instrument_version, import_instrument, submit_response

from .conftest import GOOD_PULSE

SHIPPED = (metrics.PULSE, metrics.MONTHLY, metrics.CLIENT_OUTCOME)
NOT_COMPARED = {"id", "instrument", "version", "created_at", "is_active", "scale"}


def contents(instrument: Instrument) -> dict:
    """Everything an instrument version is, apart from its identity: every model field of it, its scales and items."""
    def fields(obj):
        return {k: v for k, v in model_to_dict(obj).items() if k not in NOT_COMPARED}

    return {
        "instrument": fields(instrument),
        "scales": [fields(s) for s in instrument.scales.order_by("position")],
        "items": [{**fields(i), "scale": i.scale.code if i.scale else None} for i in instrument.items.order_by("position")],
    }


def a_file(**changes) -> dict:
    data = json.loads(instrument_file(current_instrument(metrics.CLIENT_OUTCOME)))
    data.update(changes)
    return data


def errors_of(data) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        parse_instrument_file(json.dumps(data) if not isinstance(data, (str, bytes)) else data)
    return raised.value.message_dict


@pytest.mark.parametrize("code", SHIPPED)
def test_export_then_import_gives_an_identical_instrument(db, code):
    original = current_instrument(code)
    text = instrument_file(original)

    imported = import_instrument(definition=parse_instrument_file(text))

    assert (imported.code, imported.version, imported.is_active) == (code, original.version + 1, True)
    assert contents(imported) == contents(original)
    assert instrument_file(imported) == text.replace(f'"version": {original.version},', f'"version": {imported.version},')
    assert current_instrument(code) == imported


def test_the_file_carries_what_the_analysis_needs(db):
    definition = instrument_definition(current_instrument(metrics.CLIENT_OUTCOME))
    assert definition["format"] == "tyopari-instrument" and definition["follow_up_weeks"] == 8
    assert definition["time_points"] == ["baseline", "follow_up"]
    scales = {s["code"]: s for s in definition["scales"]}
    assert (scales["loneliness"]["higher_is_better"], scales["loneliness"]["minimal_important_change"]) == (False, 0.5)
    anxiety = next(i for i in definition["items"] if i["code"] == "anxiety")
    assert anxiety["reverse_scored"] and anxiety["scale"] == "personal_wellbeing"
    assert set(anxiety["text"]) == {"fi", "sv", "en"} and all(anxiety["text"].values())


def test_a_new_code_starts_at_version_one_with_its_changes(db):
    data = a_file(code="short_loneliness", follow_up_weeks=12)
    data["scales"][1]["minimal_important_change"] = 0.75
    imported = import_instrument(definition=parse_instrument_file(json.dumps(data)))
    assert (imported.code, imported.version, imported.follow_up_weeks) == ("short_loneliness", 1, 12)
    assert imported.scales.get(code=data["scales"][1]["code"]).minimal_important_change == 0.75
    assert current_instrument(metrics.CLIENT_OUTCOME).version == 1  # another code: untouched


def test_a_malformed_file_gets_an_error_on_each_wrong_field(db):
    data = a_file(audience="everyone", follow_up_weeks=0, surprise=1)
    data["name"]["fi"] = ""
    data["scales"][0]["rule"] = "median"
    data["scales"][1]["minimal_important_change"] = -1
    data["scales"][2]["higher_is_better"] = "yes"
    data["items"][0]["scale_max"] = data["items"][0]["scale_min"]
    data["items"][1]["scale"] = "no_such_scale"
    data["items"][2]["text"] = {"fi": "x" * 301, "de": "Frage"}
    data["items"][3]["code"] = data["items"][0]["code"]
    del data["items"][4]["scale_min"]
    data["time_points"] = ["baseline", "someday"]
    before = Instrument.objects.count()

    errors = errors_of(data)

    assert set(errors) == {
        "audience", "follow_up_weeks", "surprise", "name.fi", "scales[0].rule", "scales[1].minimal_important_change",
        "scales[2].higher_is_better", "items[0].scale_max", "items[1].scale", "items[2].text.fi", "items[2].text.de",
        "items[3].code", "items[4].scale_min", "time_points[1]",
    }
    assert "no_such_scale" in errors["items[1].scale"][0]
    assert "300" in errors["items[2].text.fi"][0]
    assert Instrument.objects.count() == before


@pytest.mark.parametrize(("raw", "path"), [
    ("{not json", "file"),
    (b"\xff\xfe", "file"),
    ("[1, 2]", "file"),
    (json.dumps({"format": "something-else"}), "format"),
])
def test_a_file_that_is_not_an_instrument_is_refused_on_the_file(db, raw, path):
    assert path in errors_of(raw)


def test_a_client_instrument_is_answered_at_baseline_and_follow_up(db):
    assert "time_points" in errors_of(a_file(time_points=["monthly"]))


def test_importing_over_an_answered_version_leaves_it_frozen(db, pulse_instrument, past_visit, nurse):
    submit_response(
        instrument=pulse_instrument, time_point=TimePoint.POST_VISIT, answers=GOOD_PULSE, team=past_visit.pair.team,
        recorded_by=nurse.user, respondent=nurse, visit=past_visit,
    )
    answered = contents(pulse_instrument)
    data = json.loads(instrument_file(pulse_instrument))
    data["items"][0]["text"]["en"] = "The visit was calm."

    new = import_instrument(definition=parse_instrument_file(json.dumps(data)))

    pulse_instrument.refresh_from_db()
    assert contents(pulse_instrument) == answered and not pulse_instrument.is_active
    assert SurveyResponse.objects.get().instrument == pulse_instrument
    assert new.version == 2 and new.items.get(code="calm").text_en == "The visit was calm."
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(instrument=pulse_instrument, code="calm").update(text_en="Changed afterwards")


# --- Versioning as a service -------------------------------------------------------------------


def test_a_new_version_of_an_answered_instrument_numbers_on_and_leaves_the_answered_one(db, pulse_instrument, past_visit, nurse):
    submit_response(
        instrument=pulse_instrument, time_point=TimePoint.POST_VISIT, answers=GOOD_PULSE, team=past_visit.pair.team,
        recorded_by=nurse.user, respondent=nurse, visit=past_visit,
    )
    second = create_instrument_version(instrument=pulse_instrument)
    third = create_instrument_version(instrument=pulse_instrument)  # from the old one again: still the next number
    assert (second.version, third.version) == (2, 3)
    assert list(Instrument.objects.filter(code=metrics.PULSE, is_active=True)) == [third]
    assert contents(third) == contents(pulse_instrument)
    assert Scale.objects.filter(instrument=third).count() == pulse_instrument.scales.count()
    assert set(third.items.values_list("scale__instrument", flat=True)) == {third.pk}
    assert pulse_instrument.responses.count() == 1


# --- Admin and commands ---------------------------------------------------------------------------


def test_the_admin_exports_one_instrument_as_a_file(client, admin_user, outcome_instrument):
    client.force_login(admin_user)
    response = client.post(
        "/admin/wellbeing/instrument/", {"action": "export_as_file", "_selected_action": [outcome_instrument.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="client_outcome-v1.json"'
    assert json.loads(response.content) == instrument_definition(outcome_instrument)
    several = client.post(
        "/admin/wellbeing/instrument/",
        {"action": "export_as_file", "_selected_action": list(Instrument.objects.values_list("pk", flat=True))},
        follow=True,
    )
    assert "Choose one instrument to export" in several.content.decode()


def test_the_admin_imports_a_file_and_shows_errors_on_the_fields(client, admin_user, outcome_instrument):
    client.force_login(admin_user)
    changelist = client.get("/admin/wellbeing/instrument/").content.decode()
    assert 'href="/admin/wellbeing/instrument/import/"' in changelist
    data = a_file(follow_up_weeks="eight")
    bad = client.post("/admin/wellbeing/instrument/import/", {"file": SimpleUploadedFile("x.json", json.dumps(data).encode())})
    assert bad.status_code == 400
    assert "<code>follow_up_weeks</code>: Enter a whole number." in bad.content.decode()
    assert Instrument.objects.filter(code=metrics.CLIENT_OUTCOME).count() == 1

    text = instrument_file(outcome_instrument).encode()
    good = client.post("/admin/wellbeing/instrument/import/", {"file": SimpleUploadedFile("ok.json", text)})
    new = current_instrument(metrics.CLIENT_OUTCOME)
    assert new.version == 2 and good.status_code == 302 and good.url == f"/admin/wellbeing/instrument/{new.pk}/change/"


def test_the_import_page_is_for_administrators(client, coordinator):
    client.force_login(coordinator.user)
    response = client.get("/admin/wellbeing/instrument/import/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_the_commands_export_and_import_and_name_the_wrong_fields(db, tmp_path):
    path = tmp_path / "outcome.json"
    call_command("export_instrument", metrics.CLIENT_OUTCOME, "--output", str(path), stderr=StringIO())
    out = StringIO()
    call_command("import_instrument", str(path), stdout=out)
    assert "Imported client_outcome version 2" in out.getvalue()
    assert contents(current_instrument(metrics.CLIENT_OUTCOME)) == contents(
        Instrument.objects.get(code=metrics.CLIENT_OUTCOME, version=1)
    )
    broken = json.loads(path.read_text(encoding="utf-8"))
    broken["items"][0]["scale_min"] = "low"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(CommandError, match=r"items\[0\]\.scale_min: Enter a whole number"):
        call_command("import_instrument", str(path))
    with pytest.raises(CommandError, match="No instrument"):
        call_command("export_instrument", "nothing_like_this")

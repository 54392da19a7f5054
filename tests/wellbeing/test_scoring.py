"""Scale scores: reverse items and tolerated missing answers, against hand-worked examples."""
from types import SimpleNamespace

import pytest

from wellbeing.models import ResponseScore, ScoringRule, TimePoint
from wellbeing.scoring import score_scale
from wellbeing.services import submit_response


def item(code, low, high, reverse=False):
    return SimpleNamespace(code=code, scale_min=low, scale_max=high, reverse_scored=reverse)


MEAN_TOLERATING_ONE = SimpleNamespace(rule=ScoringRule.MEAN, max_missing=1)
SUM_TOLERATING_ONE = SimpleNamespace(rule=ScoringRule.SUM, max_missing=1)


def test_reverse_item_is_flipped_within_its_own_range():
    # Personal wellbeing: 6, 7, 5 and anxiety 8 on 0–10, reversed to 10 - 8 = 2.
    # (6 + 7 + 5 + 2) / 4 = 5.0
    answers = [(item("ls", 0, 10), 6), (item("ww", 0, 10), 7), (item("hp", 0, 10), 5), (item("ax", 0, 10, True), 8)]
    score = score_scale(MEAN_TOLERATING_ONE, answers)
    assert (score.value, score.answered) == (5.0, 4)


def test_reverse_item_on_a_scale_starting_at_one():
    # Loneliness 1–5: 4, "someone to talk to" 2 reversed to 1 + 5 - 2 = 4, and 3: 11 / 3.
    answers = [(item("lonely", 1, 5), 4), (item("talk", 1, 5, True), 2), (item("outside", 1, 5), 3)]
    assert score_scale(MEAN_TOLERATING_ONE, answers).value == pytest.approx(11 / 3)


def test_one_missing_answer_is_tolerated_and_the_mean_uses_the_answered_items():
    # Happiness skipped: (6 + 7 + 2) / 3 = 5.0 from three items.
    answers = [(item("ls", 0, 10), 6), (item("ww", 0, 10), 7), (item("hp", 0, 10), None), (item("ax", 0, 10, True), 8)]
    score = score_scale(MEAN_TOLERATING_ONE, answers)
    assert (score.value, score.answered) == (5.0, 3)


def test_more_missing_answers_than_tolerated_give_no_score():
    answers = [(item("ls", 0, 10), 6), (item("ww", 0, 10), None), (item("hp", 0, 10), None), (item("ax", 0, 10, True), 8)]
    assert score_scale(MEAN_TOLERATING_ONE, answers) is None


def test_a_sum_with_a_missing_item_is_prorated():
    # 4 and 2 answered of three items: mean 3, times 3 items = 9 (not 6).
    answers = [(item("a", 1, 5), 4), (item("b", 1, 5), None), (item("c", 1, 5), 2)]
    score = score_scale(SUM_TOLERATING_ONE, answers)
    assert (score.value, score.answered) == (9.0, 2)


def test_nothing_answered_gives_no_score_even_if_missing_is_tolerated():
    assert score_scale(SimpleNamespace(rule=ScoringRule.MEAN, max_missing=5), [(item("a", 1, 5), None)]) is None


def test_saved_client_answers_store_the_scores_of_the_shipped_instrument(outcome_instrument, client_record, nurse):
    response = submit_response(
        instrument=outcome_instrument,
        time_point=TimePoint.BASELINE,
        answers={
            "life_satisfaction": 6, "worthwhile": 7, "happiness": None, "anxiety": 8,  # (6 + 7 + 2) / 3
            "feels_lonely": 4, "someone_to_talk_to": 2, "left_outside": None,  # (4 + 4) / 2
            "everyday_activities": None,  # no score: nothing tolerated missing
        },
        team=client_record.team,
        recorded_by=nurse.user,
        client=client_record,
    )
    scores = {s.scale.code: (s.value, s.answered) for s in ResponseScore.objects.filter(response=response).select_related("scale")}
    assert scores == {"personal_wellbeing": (5.0, 3), "loneliness": (4.0, 2)}
    assert response.answers.count() == 8

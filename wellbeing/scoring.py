"""Scale scores from item answers: reverse items, tolerated missing answers, sum or mean.

Pure functions over plain values, so the rule is tested against hand-worked
examples without a database.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from .models import ScoringRule


class ScorableItem(Protocol):
    code: str
    scale_min: int
    scale_max: int
    reverse_scored: bool


class ScorableScale(Protocol):
    rule: str
    max_missing: int


@dataclass(frozen=True)
class ScaleScore:
    value: float
    answered: int


def scored_value(item: ScorableItem, value: int) -> int:
    """The answer as it counts in a score: a reverse item is flipped within its own range."""
    return item.scale_min + item.scale_max - value if item.reverse_scored else value


def score_scale(scale: ScorableScale, answers: Iterable[tuple[ScorableItem, int | None]]) -> ScaleScore | None:
    """The scale's score, or None when more items are missing than the scale tolerates.

    A mean is taken over the answered items. A sum with tolerated missing
    items is prorated (mean of the answered items times the number of
    items), so that a skipped question does not read as a low score.
    """
    answers = list(answers)
    answered = [scored_value(item, value) for item, value in answers if value is not None]
    missing = len(answers) - len(answered)
    if not answered or missing > scale.max_missing:
        return None
    mean = sum(answered) / len(answered)
    value = mean * len(answers) if scale.rule == ScoringRule.SUM else mean
    return ScaleScore(value=value, answered=len(answered))


def score_response(
    scales: Iterable, items: Iterable, values: Mapping[str, int | None]
) -> dict[object, ScaleScore]:
    """Scores of every scale that has enough answers; `values` maps item code to answer (None = skipped)."""
    items_of: dict[object, list] = {}
    for item in items:
        if item.scale_id is not None:
            items_of.setdefault(item.scale_id, []).append(item)
    scores = {}
    for scale in scales:
        score = score_scale(scale, ((item, values.get(item.code)) for item in items_of.get(scale.pk, [])))
        if score is not None:
            scores[scale] = score
    return scores

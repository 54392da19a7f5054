"""What each measure is called on the dashboard: the survey's own words, from the instruments.

A measure scored from one item is named by that item's text in the reader's
language, exactly as the survey asks it; a change score of a client scale by
the scale's name with its answer range. Only the pair-work share, which no one
answers (it is derived from the visits), has a name of its own in `metrics`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .. import metrics
from ..models import Item, Scale


@dataclass(frozen=True)
class Measures:
    labels: dict[str, str]  # metric -> the survey's words
    higher_is_better: dict[str, bool]  # metric -> its scale's direction

    def better_when_higher(self, metric: str) -> bool:
        return self.higher_is_better.get(metric, True)


def load_measures() -> Measures:
    """Each metric's label and direction, from the instruments in use (one query); a metric without one keeps its code."""
    labels = {metric: str(label) for metric, label in metrics.DERIVED_LABELS.items()}
    directions = {}
    items_of = defaultdict(list)
    scales = {}
    for item in (
        Item.objects.filter(
            scale__isnull=False, instrument__is_active=True,
            instrument__code__in=(metrics.PULSE, metrics.MONTHLY, metrics.CLIENT_OUTCOME),
        )
        .select_related("scale", "instrument")
        .order_by("instrument__version", "position")  # the newest version in use names the measure
    ):
        code = f"{item.instrument.code}.{item.scale.code}"
        if scales.get(code) is not None and scales[code].instrument_id != item.instrument_id:
            items_of[code] = []  # a newer version: its items only
        scales[code] = item.scale
        items_of[code].append(item)
    for code, scale in scales.items():
        items = items_of[code]
        directions[code] = scale.higher_is_better
        if code in metrics.CLIENT_METRICS_BY_SCALE:
            labels[metrics.CLIENT_METRICS_BY_SCALE[code]] = change_label(scale, items)
            directions[metrics.CLIENT_METRICS_BY_SCALE[code]] = scale.higher_is_better
        elif len(items) == 1:
            labels[code] = items[0].text
        else:
            labels[code] = scale.name
    return Measures(labels, directions)


def change_label(scale: Scale, items: list[Item]) -> str:
    low = min((item.scale_min for item in items), default=None)
    high = max((item.scale_max for item in items), default=None)
    if low is None:
        return _("%(scale)s, change") % {"scale": scale.name}
    values = {"scale": scale.name, "low": low, "high": high}
    if scale.higher_is_better:
        return _("%(scale)s (%(low)s–%(high)s), change") % values
    return _("%(scale)s (%(low)s–%(high)s, lower is better), change") % values


def label_of(labels: dict[str, str], metric: str) -> str:
    return labels.get(metric) or metric

"""Small-cell suppression: the one place that decides which aggregate cells may be shown.

docs/rules.md rule 4. The page, the charts and the CSV export all show the
cells this module marks, so they cannot disagree.

* Primary suppression: a cell from fewer than THRESHOLD respondents is hidden.
* Complementary suppression: where a total is shown next to its parts, the
  hidden parts could be recomputed as "total minus the visible parts". So in
  every such group either the total is hidden, or at least two parts are
  hidden and the hidden remainder certainly comes from THRESHOLD or more
  people. Otherwise one more cell is hidden (the smallest part, or the total
  where the group prefers to give up its total), and the groups are checked
  again until none changes: a cell hidden for one group can open another.

Respondents of parts may overlap (one person answers in several months), so
the people behind the hidden remainder are counted from below: at least the
largest hidden part, and at least the total minus all visible parts.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

THRESHOLD = 5

PRIMARY = "fewer_than_threshold"
COMPLEMENTARY = "complementary"


@dataclass(eq=False)
class Cell:
    key: Hashable
    respondents: int
    suppressed: bool = False
    reason: str = ""

    @property
    def visible(self) -> bool:
        return not self.suppressed

    def hide(self, reason: str) -> None:
        self.suppressed = True
        self.reason = self.reason or reason


@dataclass(frozen=True)
class Group:
    """A total and the disjoint parts it is made of.

    `hide_total_first`: when complementary suppression is needed, give up the
    total rather than a part (used where the parts are what people compare,
    e.g. teams against the all-teams total).
    """

    total: Hashable
    parts: tuple[Hashable, ...]
    hide_total_first: bool = False


def remainder_is_protected(total: Cell, parts: list[Cell], threshold: int = THRESHOLD) -> bool:
    """True when 'total minus the visible parts' reveals no single part and no group under the threshold."""
    if total.suppressed:
        return True
    hidden = [part for part in parts if part.suppressed]
    if not hidden:
        return True
    visible_respondents = sum(part.respondents for part in parts if part.visible)
    people_in_remainder = max(max(part.respondents for part in hidden), total.respondents - visible_respondents)
    return len(hidden) >= 2 and people_in_remainder >= threshold


def suppress(cells: Mapping[Hashable, Cell], groups: Iterable[Group], threshold: int = THRESHOLD) -> None:
    """Mark `cells` in place: primary suppression, then complementary until every group is safe."""
    for cell in cells.values():
        if cell.respondents < threshold:
            cell.hide(PRIMARY)
    resolved = [
        (cells[group.total], [cells[key] for key in group.parts if key in cells], group.hide_total_first)
        for group in groups
        if group.total in cells
    ]
    changed = True
    while changed:
        changed = False
        for total, parts, hide_total_first in resolved:
            if remainder_is_protected(total, parts, threshold):
                continue
            visible_parts = [part for part in parts if part.visible]
            if hide_total_first or not visible_parts:
                total.hide(COMPLEMENTARY)
            else:
                min(visible_parts, key=lambda part: (part.respondents, str(part.key))).hide(COMPLEMENTARY)
            changed = True

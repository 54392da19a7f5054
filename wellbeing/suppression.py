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


def recoverable(cells: Mapping[Hashable, Cell], groups: Iterable[Group]) -> list[Hashable]:
    """The hidden cells whose figure follows from the shown ones through the groups' equations.

    Where the parts of every group are disjoint and make up its total (so each
    group is an equation: total = sum of parts), a hidden cell can be worked
    out exactly when its unit vector lies in the row space of the equations
    restricted to the hidden cells: combining several groups can reveal a cell
    that each group alone protects. Used where several kinds of group overlap
    (the stored analyses); linear algebra over a few dozen cells.
    """
    import numpy as np

    hidden = sorted((key for key, cell in cells.items() if cell.suppressed), key=str)
    index = {key: i for i, key in enumerate(hidden)}
    rows = []
    for group in groups:
        row = np.zeros(len(hidden))
        for key in group.parts:
            if key in index:
                row[index[key]] += 1
        if group.total in index:
            row[index[group.total]] -= 1
        if row.any():
            rows.append(row)
    if not rows:
        return []
    system = np.array(rows)
    rank = np.linalg.matrix_rank(system)
    found = []
    for key, i in index.items():
        unit = np.zeros(len(hidden))
        unit[i] = 1
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.append(key)
    return found


def suppress_overlapping(cells: Mapping[Hashable, Cell], groups: Iterable[Group], threshold: int = THRESHOLD) -> None:
    """`suppress`, then, while any hidden cell can be worked out by combining groups (`recoverable`),
    hide one more: the smallest shown cell of a group with such a cell. Every group's parts must add up
    to its total. Hiding only adds unknowns, so this ends, at worst with everything hidden.
    """
    groups = list(groups)
    while True:
        suppress(cells, groups, threshold)
        exposed = set(recoverable(cells, groups))
        if not exposed:
            return
        candidates = [
            cells[key]
            for group in groups
            if group.total in exposed or exposed & set(group.parts)
            for key in (group.total, *group.parts)
            if key in cells and cells[key].visible
        ]
        if not candidates:  # the shown figures that tie it down are further away: any shown cell of any group
            candidates = [
                cells[key] for group in groups for key in (group.total, *group.parts) if key in cells and cells[key].visible
            ]
        min(candidates, key=lambda cell: (cell.respondents, str(cell.key))).hide(COMPLEMENTARY)

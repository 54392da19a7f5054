"""The managers' dashboard: tables and charts built from the aggregate tables only.

`build_dashboard` reads a fixed handful of queries (aggregates, visit
aggregates, pair-work starts, freshness, cost setting), whatever the number
of responses behind them.

* `scope`: who sees which teams, and the chosen team and period;
* `cells`: the aggregate cells with their suppression decided;
* `tables`: the six tables with their charts, shared by page and CSV;
* `labels`: each measure named in the survey's own words;
* `cards`: the headline answers, from the tables' own figures;
* `evidence`: the stored analyses (effect sizes, dose bands, difference-in-differences) as tables.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from ..models import AggregationState, SickLeaveCost
from .cards import Card, build_cards
from .cells import SUPPRESSED, Cells, load_cells, suppressed_label
from .evidence import Evidence, evidence_tables, load_evidence
from .scope import DashboardScope, Filters, dashboard_scope, filters_for
from .labels import load_measures
from .tables import (
    Focus,
    Table,
    client_change_table,
    cost_table,
    focus_of,
    phase_table,
    pulse_table,
    staff_table,
    visits_table,
)

__all__ = [
    "SUPPRESSED", "Card", "Cells", "Dashboard", "Evidence", "Focus", "DashboardScope", "Filters", "Table", "build_dashboard",
    "dashboard_scope", "filters_for", "load_cells", "suppressed_label",
]


@dataclass
class Dashboard:
    tables: list[Table]
    rebuilt_at: dt.datetime | None
    updated_at: dt.datetime | None
    cost_per_day: Decimal
    cost_set_at: dt.datetime | None
    first_months: dict[str, dt.date]
    cards: list[Card]
    focus: Focus
    evidence: list[Table]  # the stored analyses' tables (wellbeing/_evidence_tables.html)

    def table(self, slug: str) -> Table | None:
        return next((table for table in self.tables + self.evidence if table.slug == slug), None)


def build_dashboard(filters: Filters) -> Dashboard:
    cells = load_cells()
    state = AggregationState.objects.filter(pk=1).first()
    cost = SickLeaveCost.objects.current()
    cost_per_day = cost.cost_per_day if cost else Decimal(SickLeaveCost.DEFAULT_PER_DAY)
    shown = [(team.pk, team.name) for team in filters.shown_teams]
    if filters.show_totals:
        shown.append((None, _("All teams")))
    measures = load_measures()
    focus = focus_of(filters)
    tables = [
        pulse_table(cells, filters, shown, measures.labels, focus),
        staff_table(cells, filters, shown, measures.labels, focus),
        phase_table(cells, filters, measures.labels),
        client_change_table(cells, filters, shown, measures.labels, focus),
        visits_table(cells, filters, shown, focus),
        cost_table(cells, filters, cost_per_day),
    ]
    evidence = load_evidence(cells)
    return Dashboard(
        tables=tables,
        evidence=evidence_tables(evidence, filters, shown, measures, focus),
        cards=build_cards(cells, filters, measures, focus, {table.slug: table for table in tables}, evidence),
        focus=focus,
        rebuilt_at=state.rebuilt_at if state else None,
        updated_at=state.updated_at if state else None,
        cost_per_day=cost_per_day,
        cost_set_at=cost.set_at if cost else None,
        first_months={team.name: cells.first_month[team.pk] for team in filters.shown_teams if team.pk in cells.first_month},
    )

"""Recompute every wellbeing aggregate (what the nightly reconcile does)."""
import time

from django.core.management.base import BaseCommand, CommandError

from wellbeing import aggregation


class Command(BaseCommand):
    help = "Recompute every wellbeing aggregate from the responses and visits. Safe to run at any time."

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true",
            help="Regroup every cell, not only those the journal names and those that follow the visits.",
        )
        parser.add_argument(
            "--from-source",
            action="store_true",
            help="First re-derive the per-person-month sums from the raw response rows and repair any that differ "
            "(after restoring data with triggers disabled, say).",
        )

    def handle(self, *args, full: bool = False, from_source: bool = False, **options):
        started = time.perf_counter()
        result = aggregation.rebuild_all(full=full, from_source=from_source)
        if result is None:
            raise CommandError("Another rebuild is running; try again when it has finished.")
        repaired = f", {result.person_rows_repaired} person-month rows repaired" if from_source else ""
        self.stdout.write(
            f"Rebuilt wellbeing aggregates in {time.perf_counter() - started:.2f} s: "
            f"{result.rows_changed} rows changed, {result.metric_rows} metric rows, {result.visit_rows} visit rows{repaired}; "
            f"{result.analyses_changed} stored analyses changed."
        )

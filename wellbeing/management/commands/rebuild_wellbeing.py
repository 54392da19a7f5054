"""Recompute every wellbeing aggregate from the source rows (what the nightly reconcile does)."""
import time

from django.core.management.base import BaseCommand, CommandError

from wellbeing import aggregation


class Command(BaseCommand):
    help = "Recompute every wellbeing aggregate from the responses and visits. Safe to run at any time."

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = aggregation.rebuild_all()
        if result is None:
            raise CommandError("Another rebuild is running; try again when it has finished.")
        self.stdout.write(
            f"Rebuilt wellbeing aggregates in {time.perf_counter() - started:.2f} s: "
            f"{result.rows_changed} rows changed, {result.metric_rows} metric rows, {result.visit_rows} visit rows."
        )

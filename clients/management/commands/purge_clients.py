"""Remove clients archived longer than the retention period (settings.CLIENT_RETENTION_DAYS).

    python manage.py purge_clients --dry-run   # list what would go, change nothing
    python manage.py purge_clients             # remove them

Output names clients by id only; the access log is kept.
"""
from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from clients.data_requests import PurgeCandidate, purge_archived_clients, purge_candidates, retention_cutoff


class Command(BaseCommand):
    help = "Remove clients archived longer than CLIENT_RETENTION_DAYS, keeping the access log."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Show what would be removed and change nothing.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        cutoff = retention_cutoff()
        self.stdout.write(
            f"Retention {settings.CLIENT_RETENTION_DAYS} days: clients archived before "
            f"{timezone.localtime(cutoff):%Y-%m-%d %H:%M} are removed."
        )
        if dry_run:
            candidates = purge_candidates(cutoff=cutoff)
            for candidate in candidates:
                self.stdout.write(f"would remove {self._describe(candidate)}")
            self.stdout.write(
                self.style.WARNING(f"Dry run: {len(candidates)} client(s) would be removed; nothing changed.")
            )
            return
        purged = purge_archived_clients(cutoff=cutoff)
        for candidate in purged:
            self.stdout.write(f"removed {self._describe(candidate)}")
        self.stdout.write(self.style.SUCCESS(f"{len(purged)} client(s) removed; the access log is kept."))

    @staticmethod
    def _describe(candidate: PurgeCandidate) -> str:
        return (
            f"client #{candidate.client_id} (archived {timezone.localtime(candidate.archived_at):%Y-%m-%d}, "
            f"{candidate.visits} visit(s), {candidate.survey_responses} survey response(s))"
        )

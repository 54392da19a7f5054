"""Create the access log's monthly partitions ahead of time (beat does it daily).

    python manage.py ensure_access_log_partitions              # three months ahead
    python manage.py ensure_access_log_partitions --months-ahead 12
"""
from __future__ import annotations

from django.core.management.base import BaseCommand

from access import storage as access_log_storage


class Command(BaseCommand):
    help = "Create the access log's monthly partitions ahead, guard them and narrow their privileges."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--months-ahead", type=int, default=access_log_storage.PARTITION_MONTHS_AHEAD)

    def handle(self, *args, months_ahead: int, **options) -> None:
        created = access_log_storage.ensure_partitions(months_ahead=months_ahead)
        names = access_log_storage.partitions()
        self.stdout.write(self.style.SUCCESS(
            f"{created} partition(s) created; the access log has {len(names)}, the last month {max(n for n in names if not n.endswith('_default'))}."
        ))

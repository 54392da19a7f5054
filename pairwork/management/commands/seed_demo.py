"""`manage.py seed_demo`: load the synthetic demo world and print the demo sign-ins."""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from pairwork.demo import DEMO_LOGINS, DEMO_PASSWORD, DemoDataRefused, SeedReport, seed_demo


class Command(BaseCommand):
    help = "Load synthetic demo data (development only, safe to run again) and print the demo logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--print-logins", action="store_true", help="Only print the demo logins; write nothing to the database."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Seed only a database without any teams; leave others as they are."
        )

    def handle(self, *args, print_logins: bool = False, if_empty: bool = False, **options) -> None:
        if not print_logins:
            started = time.monotonic()
            try:
                report = seed_demo(only_if_empty=if_empty)
            except DemoDataRefused as exc:
                raise CommandError(str(exc)) from exc
            self._print_report(report, seconds=time.monotonic() - started)
        self._print_logins()

    def _print_report(self, report: SeedReport, *, seconds: float) -> None:
        if report.left_alone:
            self.stdout.write("The database already has data; --if-empty left it as it is.")
            return
        if not report.created_anything:
            self.stdout.write(f"Demo data is already in place; nothing created ({seconds:.1f} s).")
            return
        self.stdout.write(self.style.SUCCESS(f"Demo data created in {seconds:.1f} s:"))
        width = max(len(what) for what in report.created)
        for what, number in report.created.items():
            self.stdout.write(f"  {what:<{width}}  {number:>5}")

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins (synthetic data only):"))
        rows = [("username", "role", "password", "")] + [
            (login.username, str(login.role), DEMO_PASSWORD, login.note) for login in DEMO_LOGINS
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        for username, role, password, note in rows:
            self.stdout.write(
                f"  {username:<{widths[0]}}  {role:<{widths[1]}}  {password:<{widths[2]}}  {note}".rstrip()
            )

"""`manage.py export_instrument CODE [--instrument-version N] [--output FILE]`: an instrument version as a JSON file."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wellbeing.instrument_files import instrument_file
from wellbeing.models import Instrument


class Command(BaseCommand):
    help = "Write an instrument version (by default the newest) as a JSON file; the format is in docs/instrument-files.md."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--instrument-version", type=int, dest="instrument_version", help="Version to export (default: the newest).")
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, code, instrument_version=None, output=None, **options):
        versions = Instrument.objects.filter(code=code).order_by("-version")
        if instrument_version is not None:
            versions = versions.filter(version=instrument_version)
        instrument = versions.first()
        if instrument is None:
            raise CommandError(f"No instrument {code!r}" + (f" version {instrument_version}" if instrument_version else ""))
        text = instrument_file(instrument)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {instrument.code} version {instrument.version} to {output}")
        else:
            self.stdout.write(text, ending="")

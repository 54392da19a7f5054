"""`manage.py import_instrument FILE`: load an instrument file as the next version of its code."""
from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from wellbeing import services
from wellbeing.instrument_files import parse_instrument_file


class Command(BaseCommand):
    help = (
        "Import an instrument from a JSON file (docs/instrument-files.md). An existing code gets its next version, "
        "which is put in use; earlier versions and their answers stay as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            raw = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        try:
            definition = parse_instrument_file(raw)
        except ValidationError as error:
            lines = [f"  {path}: {' '.join(messages)}" for path, messages in sorted(error.message_dict.items())]
            raise CommandError("The file was not imported. Fix these fields:\n" + "\n".join(lines)) from error
        instrument = services.import_instrument(definition=definition)
        self.stdout.write(f"Imported {instrument.code} version {instrument.version} (now in use).")

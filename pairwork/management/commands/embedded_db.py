from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pairwork import embedded_postgres


class Command(BaseCommand):
    help = "Show or stop the embedded development PostgreSQL (used when DATABASE_URL is unset)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "stop"])

    def handle(self, *args, action: str, **options):
        if settings.DATABASES["default"].get("HOST", "").startswith("/") is False:
            raise CommandError("DATABASE_URL is set: there is no embedded server to manage.")
        if action == "status":
            self.stdout.write(f"Embedded PostgreSQL data: {embedded_postgres.data_dir(settings.BASE_DIR)}")
            self.stdout.write(f"Socket directory: {settings.DATABASES['default']['HOST']}")
        elif embedded_postgres.stop(settings.BASE_DIR):
            self.stdout.write("Embedded PostgreSQL stopped.")
        else:
            self.stdout.write("Embedded PostgreSQL was not running.")

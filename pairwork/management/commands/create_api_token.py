"""Issue an API token for another system from the command line; the key is printed once."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pairwork.api_tokens import issue_api_token


class Command(BaseCommand):
    help = "Create an API token acting as USERNAME (with that user's role and scope) and print the key once."

    def add_arguments(self, parser):
        parser.add_argument("username", help="Owner of the token; the API acts with this user's role and scope.")
        parser.add_argument("--name", required=True, help="Which system uses the token, e.g. 'Client register sync'.")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        token, raw = issue_api_token(user=user, name=name)
        self.stdout.write(f"Token {token.prefix}… for {username} ({name}). Copy the key now; it is not shown again:")
        self.stdout.write(raw)

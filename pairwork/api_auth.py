"""`Authorization: Token <key>` for other systems; browsers use their session."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .api_tokens import token_for_key

KEYWORD = "Token"


class TokenAuthentication(authentication.BaseAuthentication):
    """Recognise an API token; the request then acts as the token's owner."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give 'Token' and the key, separated by one space."))
        try:
            raw = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = token_for_key(raw)
        if token is None:
            # One message for wrong, revoked and inactive-owner tokens: the
            # caller learns nothing about which keys once existed.
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes unauthenticated requests 401 (with WWW-Authenticate) rather than 403.
        return KEYWORD


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "pairwork.api_auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "For other systems: `Authorization: Token <key>`. Keys are created and revoked by an "
                "administrator (Django admin or `manage.py create_api_token`); the API acts with the "
                "key owner's role and scope."
            ),
        }

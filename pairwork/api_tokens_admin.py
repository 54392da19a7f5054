"""Administrators create, replace and revoke API tokens; the key is shown exactly once."""
from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .api_tokens import issue_api_token, revoke_api_token
from .models import ApiToken


def _show_key_once(request, token: ApiToken, raw: str) -> None:
    messages.warning(
        request,
        _("API key for “%(name)s”: %(key)s — copy it now; it is stored only as a hash and cannot be shown again.")
        % {"name": token.name, "key": raw},
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    autocomplete_fields = ["user"]
    actions = ["revoke_selected", "replace_selected"]

    def get_readonly_fields(self, request, obj=None):
        # A token's owner and name are fixed once issued: issue a new one instead.
        if obj is not None:
            return ["name", "user", *self.readonly_fields]
        return []

    def has_delete_permission(self, request, obj=None) -> bool:
        # Revoked tokens stay listed, so it is known which system had access and when.
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return
        token, raw = issue_api_token(user=obj.user, name=obj.name, by=request.user)
        # The admin goes on with `obj` (change message, redirect): make it the issued row.
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = token.pk, token.prefix, token.key_hash, token.created_at
        obj.created_by = request.user
        obj._state.adding = False
        _show_key_once(request, token, raw)

    @admin.action(description=_("Revoke selected tokens"))
    def revoke_selected(self, request, queryset) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            revoke_api_token(token=token, by=request.user)
        self.message_user(
            request, ngettext("%d token revoked.", "%d tokens revoked.", len(tokens)) % len(tokens), messages.SUCCESS
        )

    @admin.action(description=_("Replace selected tokens (revoke and issue a new key)"))
    def replace_selected(self, request, queryset) -> None:
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            revoke_api_token(token=token, by=request.user)
            new_token, raw = issue_api_token(user=token.user, name=token.name, by=request.user)
            _show_key_once(request, new_token, raw)

from django.contrib import admin

from .models import AccessLog, Client
from .privacy_admin import AccessLogAdmin, ClientDataRequestsMixin


@admin.register(Client)
class ClientAdmin(ClientDataRequestsMixin, admin.ModelAdmin):
    list_display = ("id", "first_name", "last_name", "team", "area", "consent_given", "archived_at")
    list_filter = ("team", "consent_given", ("archived_at", admin.EmptyFieldListFilter))
    search_fields = ("first_name", "last_name", "=id")
    list_select_related = ("team",)


admin.site.register(AccessLog, AccessLogAdmin)

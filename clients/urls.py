from django.urls import path

from visits import note_views

from . import privacy_views

app_name = "clients"

urlpatterns: list = []

# Privacy and visit notes (issue 4). Client ids only: never a name in a URL.
urlpatterns += [
    path("<int:pk>/notes/", note_views.client_notes, name="notes"),
    path("<int:pk>/access-log/", privacy_views.client_access_log, name="access_log"),
    path("<int:pk>/data-export/", privacy_views.client_data_export, name="data_export"),
]

"""The clients app's own pages under /clients/ (namespace "clients").

The root URLconf mounts them together with the client pages that show the
client's visits too (visits.urls.client_pages: the list, the client's page,
the notes), which live in visits, the app above (docs/rules.md "Layers").
"""
from django.urls import path

from . import privacy_views, views

urlpatterns: list = [
    path("new/", views.client_create, name="create"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/archive/", views.client_archive, name="archive"),
    path("<int:pk>/restore/", views.client_restore, name="restore"),
    path("<int:pk>/familiar-nurses/", views.familiar_nurses, name="familiar_nurses"),
    path("<int:pk>/service-circle/", views.service_circle, name="service_circle"),
]

# Privacy and visit notes (issue 4). Client ids only: never a name in a URL.
urlpatterns += [
    path("<int:pk>/access-log/", privacy_views.client_access_log, name="access_log"),
    path("<int:pk>/data-export/", privacy_views.client_data_export, name="data_export"),
]

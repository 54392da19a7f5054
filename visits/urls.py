from django.urls import path

from . import note_views

app_name = "visits"

urlpatterns: list = []

# The visit on a phone: page, own note, outcome (issue 4).
urlpatterns += [
    path("<int:pk>/", note_views.visit_detail, name="detail"),
    path("<int:pk>/note/", note_views.visit_note, name="note"),
    path("<int:pk>/outcome/", note_views.visit_outcome, name="outcome"),
]

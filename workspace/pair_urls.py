from django.urls import path

from . import pair_views

app_name = "pairwork"

urlpatterns = [
    path("", pair_views.pair_list, name="pairs"),
    path("new/", pair_views.pair_create, name="pair_create"),
    path("<int:pk>/", pair_views.pair_detail, name="pair_detail"),
    path("<int:pk>/edit/", pair_views.pair_edit, name="pair_edit"),
    path("<int:pk>/end/", pair_views.pair_end, name="pair_end"),
]

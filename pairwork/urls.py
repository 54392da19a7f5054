from django.contrib import admin
from django.urls import include, path

import clients.urls
import visits.urls

from workspace import views as workspace_views

from . import views

# One "clients" namespace for every page about a client, whichever app it lives in.
client_pages = (visits.urls.client_pages + clients.urls.urlpatterns, "clients")

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("clients/", include(client_pages)),
    path("visits/", include("visits.urls")),
    path("wellbeing/", include("wellbeing.urls")),
    path("pairs/", include("workspace.pair_urls")),
]
urlpatterns += [path("api/", include("pairwork.api_urls"))]


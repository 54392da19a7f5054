"""The project's URLs with no wellbeing pages at all (no post-visit pulse)."""
from django.urls import include, path

from pairwork.urls import urlpatterns as project_urlpatterns

urlpatterns = [p for p in project_urlpatterns if getattr(p, "namespace", None) != "wellbeing"] + [
    path("wellbeing/", include(([], "wellbeing"))),
]

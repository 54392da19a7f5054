"""The project's URLs with a stand-in post-visit pulse page at wellbeing:pulse."""
from django.http import HttpResponse
from django.urls import include, path

from pairwork.urls import urlpatterns as project_urlpatterns


def pulse_stand_in(request, visit_pk):
    return HttpResponse("pulse")


urlpatterns = [p for p in project_urlpatterns if getattr(p, "namespace", None) != "wellbeing"] + [
    path("wellbeing/", include(([path("pulse/<int:visit_pk>/", pulse_stand_in, name="pulse")], "wellbeing"))),
]

"""The API: /api/v1/ (one router for every app's viewsets), /api/schema/ (OpenAPI 3)
and /api/docs/ (Swagger UI, served from our own static files).

A new API version gets a new router, never changed routes under v1.
"""
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from clients.api import ClientAccessLogViewSet, ClientViewSet, ServiceCircleViewSet
from visits.absence_api import AbsenceViewSet
from visits.api import ClientFreeTimesView, VisitViewSet
from visits.note_api import VisitNoteViewSet
from wellbeing.api import DashboardViewSet, InstrumentViewSet, SurveyResponseViewSet

from workspace.api import StaffViewSet, TeamViewSet, WorkPairViewSet

v1 = DefaultRouter(trailing_slash=True)
v1.include_root_view = False
v1.register("teams", TeamViewSet, basename="team")
v1.register("staff", StaffViewSet, basename="staff")
v1.register("pairs", WorkPairViewSet, basename="pair")
v1.register("clients", ClientViewSet, basename="client")
v1.register(r"clients/(?P<client_pk>[^/.]+)/access-log", ClientAccessLogViewSet, basename="client-access-log")
v1.register("visits", VisitViewSet, basename="visit")
v1.register(r"visits/(?P<visit_pk>[^/.]+)/notes", VisitNoteViewSet, basename="visit-note")
v1.register("absences", AbsenceViewSet, basename="absence")
v1.register("instruments", InstrumentViewSet, basename="instrument")
v1.register("survey-responses", SurveyResponseViewSet, basename="survey-response")
v1.register("dashboard", DashboardViewSet, basename="dashboard")



@csrf_exempt  # a POST to an unknown URL is 404 in JSON too, not the HTML CSRF page (it changes nothing)
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Unknown /api/ URLs answer in JSON like the API, not with the HTML error page."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


# The service circle is replaced as a whole (clients.records.set_service_circle), so its
# collection answers GET and PUT; a router's list route knows only GET and POST.
service_circle = [
    re_path(
        r"^clients/(?P<client_pk>[^/.]+)/service-circle/$",
        ServiceCircleViewSet.as_view({"get": "list", "put": "replace"}),
        name="client-service-circle-list",
    ),
    re_path(
        r"^clients/(?P<client_pk>[^/.]+)/service-circle/(?P<pk>[^/.]+)/$",
        ServiceCircleViewSet.as_view({"get": "retrieve"}),
        name="client-service-circle-detail",
    ),
]

# The next free times are computed, not a collection of stored objects: one GET view.
free_times = [
    re_path(r"^clients/(?P<client_pk>[^/.]+)/free-times/$", ClientFreeTimesView.as_view(), name="client-free-times"),
]

urlpatterns = [
    path("v1/", include((service_circle + free_times + v1.urls, "api-v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (?script), so the CSP needs no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    re_path(r"", not_found),  # last: only what nothing above matched
]

"""The API: /api/v1/ (one router for every app's viewsets), /api/schema/ (OpenAPI 3)
and /api/docs/ (Swagger UI, served from our own static files).

A new API version gets a new router, never changed routes under v1.
"""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from clients.api import ClientAccessLogViewSet, ClientViewSet, ServiceCircleViewSet
from visits.api import VisitViewSet
from wellbeing.api import InstrumentViewSet

from .api import StaffViewSet, TeamViewSet, WorkPairViewSet

v1 = DefaultRouter(trailing_slash=True)
v1.include_root_view = False
v1.register("teams", TeamViewSet, basename="team")
v1.register("staff", StaffViewSet, basename="staff")
v1.register("pairs", WorkPairViewSet, basename="pair")
v1.register("clients", ClientViewSet, basename="client")
v1.register(r"clients/(?P<client_pk>\d+)/service-circle", ServiceCircleViewSet, basename="client-service-circle")
v1.register(r"clients/(?P<client_pk>\d+)/access-log", ClientAccessLogViewSet, basename="client-access-log")
v1.register("visits", VisitViewSet, basename="visit")
v1.register("instruments", InstrumentViewSet, basename="instrument")

urlpatterns = [
    path("v1/", include((v1.urls, "api-v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

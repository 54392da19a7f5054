from django.urls import path

from . import views

app_name = "wellbeing"

urlpatterns: list = [
    path("pulse/<int:visit_id>/", views.pulse, name="pulse"),
    path("monthly/", views.monthly, name="monthly"),
    path("clients/<int:client_id>/outcome/", views.client_outcome, name="client_outcome"),
    path("measurements-due/", views.due_measurements, name="due_measurements"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/report/", views.dashboard_report, name="dashboard_report"),
    path("dashboard/export/<slug:table>.csv", views.dashboard_export, name="dashboard_export"),
    path("dashboard/refresh/", views.dashboard_refresh, name="dashboard_refresh"),
    path("dashboard/sick-leave-cost/", views.sick_leave_cost, name="sick_leave_cost"),
]

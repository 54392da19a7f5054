from django.urls import path, re_path

from . import absence_views, calendar_views, client_absence_views, client_pages, note_views, scheduling_views, standin_views

app_name = "visits"

urlpatterns: list = [
    path("schedule/", scheduling_views.schedule, name="schedule"),
    path("free-times/", client_absence_views.free_times, name="free_times"),
    path("series/<int:pk>/", scheduling_views.series_report, name="series"),
    path("<int:pk>/move/", scheduling_views.reschedule, name="reschedule"),
    path("<int:pk>/cancel/", scheduling_views.cancel, name="cancel"),
    path("<int:pk>/stand-ins/", standin_views.stand_ins, name="stand_ins"),
    path("stand-ins/", standin_views.stand_ins_for_person, name="stand_ins_for_person"),
    path("calendar/", calendar_views.week, name="calendar"),
    re_path(r"^calendar/(?P<day>\d{4}-\d{2}-\d{2})/$", calendar_views.day, name="calendar_day"),
    path("mine/", calendar_views.my_visits, name="my_visits"),
    path("calendar-feed/", calendar_views.calendar_feed, name="calendar_feed"),
    path("feed/<str:token>.ics", calendar_views.ical_feed, name="ical_feed"),
]

# Staff absences (issue 12): the coordinator's page per team, withdraw or shorten one, and the phone's "report sick".
urlpatterns += [
    path("absences/", absence_views.absence_list, name="absences"),
    path("absences/<int:pk>/", absence_views.absence_change, name="absence_change"),
    path("report-sick/", absence_views.report_sick, name="report_sick"),
]

# The visit on a phone: page, own note, outcome (issue 4).
urlpatterns += [
    path("<int:pk>/", note_views.visit_detail, name="detail"),
    path("<int:pk>/note/", note_views.visit_note, name="note"),
    path("<int:pk>/outcome/", note_views.visit_outcome, name="outcome"),
]

# Client pages that show the client's visits, mounted under /clients/ in the "clients" namespace
# by the root URLconf (they read clients and visits, so they live here). Client ids only.
client_pages: list = [
    path("", client_pages.client_list, name="list"),
    path("<int:pk>/", client_pages.client_detail, name="detail"),
    path("<int:pk>/notes/", note_views.client_notes, name="notes"),
    path("<int:pk>/absences/", client_absence_views.absences, name="absences"),
]

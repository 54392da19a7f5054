"""The floor: the smallest Django app that answers "hello", served by the same gunicorn.

Every page of the project is measured as a share of this app's requests per
second in the same run, so the figures say something on any machine (and on
a shared one whose speed changes during the day).
"""
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="floor-app-has-no-secrets",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after configure)
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("", hello)]

application = get_wsgi_application()

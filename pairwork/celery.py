"""The Celery application.

With REDIS_URL set, tasks go to Redis and `celery -A pairwork worker` and
`celery -A pairwork beat` run them; without it they run eagerly in-process
(settings.CELERY_TASK_ALWAYS_EAGER), so development needs no broker.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pairwork.settings")

app = Celery("pairwork")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

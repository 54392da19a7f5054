"""Saving never depends on Redis (docs/rules.md rule 5); the reconcile catches the aggregates up."""
import os
import socket
import time
import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse

from pairwork.celery import app
from tests.conftest import login
from wellbeing import aggregation, metrics
from wellbeing.models import MetricAggregate, SurveyResponse, TimePoint
from wellbeing.selectors import current_instrument, month_of
from wellbeing.services import submit_response

from .conftest import GOOD_PULSE, bulk_staff


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.fixture
def broker(request):
    """Point Celery at a broker URL with tasks really sent (not run eagerly); restore afterwards."""
    # The app reads Django's CELERY_* settings by these names (namespace "CELERY").
    saved = {"CELERY_BROKER_URL": app.conf.broker_url, "CELERY_TASK_ALWAYS_EAGER": app.conf.task_always_eager}

    def forget_connections():
        app._pool = None
        app.amqp._producer_pool = None

    def use(url: str):
        app.conf.update(CELERY_BROKER_URL=url, CELERY_TASK_ALWAYS_EAGER=False)
        forget_connections()
        assert (app.conf.broker_url, app.conf.task_always_eager) == (url, False)
        return app

    yield use
    app.conf.update(saved)
    forget_connections()


def test_with_redis_unreachable_the_pulse_saves_and_rebuild_brings_the_dashboard_up_to_date(
    client, broker, past_visit, nurse, manager, team, caplog, django_capture_on_commit_callbacks
):
    period = month_of(past_visit.starts_at)
    colleagues = bulk_staff(team, 4, prefix="colleague")
    for person in colleagues:
        submit_response(
            instrument=current_instrument(metrics.PULSE), time_point=TimePoint.POST_VISIT, team=team, recorded_by=person.user,
            respondent=person, answers={"calm": 5, "time_to_meet": 5, "energised": 5},
            period=period, refresh_aggregates=False,
        )
    aggregation.rebuild_all()
    cell = MetricAggregate.objects.filter(team=team, span="month", metric=metrics.PULSE_CALM)
    assert cell.get().respondents == 4

    broker(f"redis://127.0.0.1:{closed_port()}/0")
    login(client, nurse)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("wellbeing:pulse", args=[past_visit.pk]), GOOD_PULSE)
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert time.monotonic() - started < 15
    assert SurveyResponse.objects.filter(respondent=nurse, visit=past_visit).exists()
    assert "nightly reconcile will bring the aggregates up to date" in caplog.text
    assert cell.get().respondents == 4  # not refreshed: the broker was down

    call_command("rebuild_wellbeing")
    assert cell.get().respondents == 5
    login(client, manager)
    page = client.get(reverse("wellbeing:dashboard"), {"start": f"{period:%Y-%m}", "end": f"{period:%Y-%m}"})
    rows = [[text for text, _ in row] for t, rows in page.context["tables"] if t.slug == "pulse" for row in rows]
    assert [f"{period:%Y-%m}", "Kallio", "The situation during the visit was calm.", "5", "4.80"] == rows[0][:5]  # the survey's own words


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis at REDIS_URL")
def test_with_redis_up_the_refresh_is_queued_for_a_worker(client, broker, past_visit, nurse, django_capture_on_commit_callbacks):
    import redis

    url = os.environ["REDIS_URL"]
    # A queue of this test's own, so parallel tests sending to the same Redis cannot disturb the count.
    queue_name = f"wellbeing-test-{uuid.uuid4().hex}"
    saved_queue = app.conf.task_default_queue
    app.conf.update(CELERY_TASK_DEFAULT_QUEUE=queue_name)
    queue = redis.Redis.from_url(url)
    try:
        broker(url)
        login(client, nurse)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("wellbeing:pulse", args=[past_visit.pk]), GOOD_PULSE).status_code == 302
        assert queue.llen(queue_name) == 1
        assert b"wellbeing.tasks.refresh_wellbeing_cells" in queue.lindex(queue_name, 0)
    finally:
        queue.delete(queue_name)
        app.conf.update(CELERY_TASK_DEFAULT_QUEUE=saved_queue)

"""The management commands: rebuild_wellbeing and the benchmark that leaves no trace."""
import io

from django.core.management import call_command

from pairwork.models import StaffProfile, Team
from wellbeing.models import AggregationState, MetricAggregate, SurveyResponse


def test_rebuild_wellbeing_reports_what_it_did(db):
    out = io.StringIO()
    call_command("rebuild_wellbeing", stdout=out)
    assert "Rebuilt wellbeing aggregates" in out.getvalue()
    assert AggregationState.objects.get().rebuilt_at is not None


def test_the_benchmark_times_both_and_cleans_up(db):
    out = io.StringIO()
    call_command("bench_wellbeing", responses=3000, months=6, stdout=out)
    report = out.getvalue()
    # 50 staff (the minimum) answer monthly in each of the 6 months; the rest are pulses.
    assert "Generated 2,700 pulses and 300 monthly surveys from 50 staff over 6 months" in report
    assert "rebuild_wellbeing (all aggregates):" in report and "plain GROUP BY" in report
    assert "(0 rows written)" in report  # the second rebuild found nothing to change
    assert not Team.objects.filter(name__startswith="bench-").exists()
    assert not StaffProfile.objects.filter(user__username__startswith="bench-").exists()
    assert not SurveyResponse.objects.exists()
    assert not MetricAggregate.objects.exists()

"""Time `rebuild_wellbeing` on millions of generated responses, next to one plain GROUP BY.

Generates synthetic staff and responses with SQL generate_series into a
scratch team (seconds, not hours; the per-person-month sums follow in the
same statements), times the full rebuild (every cell regrouped), the nightly
reconcile after it (nothing to change), the full rebuild again, the rebuild that re-derives the per-person-month sums
from the raw rows, cell refreshes after single answers (a pulse and a
monthly survey, each the median of a few), and plain GROUP BY queries over
the same rows; prints each figure as a ratio to the GROUP BY over responses
x scores of the same run; then removes everything it added and rebuilds,
leaving the database as it was.
"""
from __future__ import annotations

import statistics
import time
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from pairwork.models import StaffProfile, Team
from wellbeing import aggregation, metrics
from wellbeing.models import MetricAggregate, TeamPairStart, TimePoint, VisitAggregate
from wellbeing.selectors import add_months, current_instrument, month_start
from wellbeing.services import submit_response

# The targets the figures are read against (ratios to the plain GROUP BY of the same run).
REBUILD_RATIO_TARGET = 2.0
UNCHANGED_REBUILD_RATIO_TARGET = 1.0
REFRESH_TARGET_MS = 20.0
SINGLE_ANSWERS = 5


class Command(BaseCommand):
    help = "Benchmark the wellbeing aggregation on generated responses (e.g. --responses 1000000)."

    def add_arguments(self, parser):
        parser.add_argument("--responses", type=int, default=1_000_000)
        parser.add_argument("--months", type=int, default=24)
        parser.add_argument("--staff", type=int, default=0, help="Default: one per 100 responses.")
        parser.add_argument("--keep", action="store_true", help="Leave the generated rows in place.")

    def handle(self, *args, responses: int, months: int, staff: int, keep: bool, **options):
        pulse, monthly = current_instrument(metrics.PULSE), current_instrument(metrics.MONTHLY)
        if pulse is None or monthly is None:
            raise CommandError("The shipped instruments are missing; run migrate first.")
        staff = staff or max(50, responses // 100)
        monthly_count = min(staff * months, responses // 4)
        pulse_count = responses - monthly_count
        tag = f"bench-{uuid.uuid4().hex[:8]}"
        team = Team.objects.create(name=tag, area="benchmark")
        first = add_months(month_start(team.created_at.date()), -months)
        figures = {}
        try:
            with self._timed(figures, "generate"):
                self._generate(tag, team.pk, staff, first, months, pulse, monthly, pulse_count, monthly_count)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE wellbeing_surveyresponse; ANALYZE wellbeing_responsescore;")
                # What autovacuum does after any bulk load: the upserts of the sums left old row
                # versions. (Not possible inside a transaction, as in the tests: there, only ANALYZE.)
                cursor.execute(
                    "ANALYZE wellbeing_personmonth" if connection.in_atomic_block else "VACUUM ANALYZE wellbeing_personmonth"
                )
                cursor.execute("SELECT count(*) FROM wellbeing_surveyresponse")
                total_responses = cursor.fetchone()[0]
                cursor.execute("SELECT count(*) FROM wellbeing_responsescore")
                total_scores = cursor.fetchone()[0]
            with self._timed(figures, "rebuild"):
                first_run = aggregation.rebuild_all(full=True)
            figures["rebuild_aggregates"] = figures["rebuild"] - first_run.analyses_seconds
            with self._timed(figures, "rebuild_again"):
                second_run = aggregation.rebuild_all()
            with self._timed(figures, "full_again"):
                full_again = aggregation.rebuild_all(full=True)
            with self._timed(figures, "rebuild_from_source"):
                from_source = aggregation.rebuild_all(from_source=True)
            pulse_refreshes, monthly_refreshes = self._single_answers(tag, team, first, months, pulse, monthly)
            figures["cell_refresh"] = statistics.median(pulse_refreshes)
            figures["monthly_refresh"] = statistics.median(monthly_refreshes)
            with self._timed(figures, "group_by_responses"), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT team_id, period, instrument_id, count(*) FROM wellbeing_surveyresponse GROUP BY 1, 2, 3"
                )
                cursor.fetchall()
            with self._timed(figures, "group_by_scores"), connection.cursor() as cursor:
                cursor.execute(
                    """SELECT r.team_id, r.period, rs.scale_id, count(*), avg(rs.value)
                         FROM wellbeing_responsescore rs JOIN wellbeing_surveyresponse r ON r.id = rs.response_id
                        GROUP BY 1, 2, 3"""
                )
                cursor.fetchall()
        finally:
            if not keep:
                with self._timed(figures, "cleanup"):
                    self._clean_up(tag, team)
        self.stdout.write(
            "\n".join(
                [
                    f"Generated {pulse_count:,} pulses and {monthly_count:,} monthly surveys from {staff:,} staff "
                    f"over {months} months in {figures['generate']:.1f} s.",
                    f"Database now: {total_responses:,} responses, {total_scores:,} scale scores.",
                    f"rebuild_wellbeing (all aggregates):          {figures['rebuild']:8.2f} s "
                    f"({first_run.rows_changed:,} rows written, {first_run.metric_rows:,} metric rows)",
                    f"  of which the stored analyses' refit (model fits, wellbeing.evidence): "
                    f"{first_run.analyses_seconds:8.2f} s",
                    f"rebuild_wellbeing again (nothing to change): {figures['rebuild_again']:8.2f} s "
                    f"({second_run.rows_changed:,} rows written)",
                    f"rebuild_wellbeing --full again (every cell regrouped, nothing to change): "
                    f"{figures['full_again']:8.2f} s ({full_again.rows_changed:,} rows written)",
                    f"one cell refresh (after a single answer):    {figures['cell_refresh']:8.4f} s "
                    f"(median of {len(pulse_refreshes)} pulses)",
                    f"one cell refresh (after a monthly survey):   {figures['monthly_refresh']:8.4f} s "
                    f"(median of {len(monthly_refreshes)}; with the team's before/with pair work cells)",
                    f"rebuild_wellbeing --from-source (person-month sums re-derived from the raw rows): "
                    f"{figures['rebuild_from_source']:8.2f} s ({from_source.person_rows_repaired:,} person rows repaired)",
                    f"plain GROUP BY responses (team, month, instrument):        {figures['group_by_responses']:8.2f} s",
                    f"plain GROUP BY responses x scores (team, month, scale):     {figures['group_by_scores']:8.2f} s",
                    *self._verdicts(figures),
                    f"cleanup and final rebuild: {figures.get('cleanup', 0):.1f} s",
                ]
            )
        )

    @staticmethod
    def _verdicts(figures: dict) -> list[str]:
        floor = figures["group_by_scores"]

        def line(label: str, value: float, target: float, unit: str = "x GROUP BY") -> str:
            verdict = "meets" if value <= target else "MISSES"
            return f"  {label:<44} {value:8.2f} {unit} (target <= {target:g}: {verdict})"

        return [
            "Against the plain GROUP BY responses x scores of this run:",
            line("rebuild (all aggregates)", figures["rebuild"] / floor, REBUILD_RATIO_TARGET),
            f"  {'rebuild without the analyses refit':<44} {figures['rebuild_aggregates'] / floor:8.2f} x GROUP BY",
            line("rebuild again (nothing to change)", figures["rebuild_again"] / floor, UNCHANGED_REBUILD_RATIO_TARGET),
            line("rebuild --full again (nothing to change)", figures["full_again"] / floor, UNCHANGED_REBUILD_RATIO_TARGET),
            f"  {'rebuild --from-source (a repair tool)':<44} {figures['rebuild_from_source'] / floor:8.2f} x GROUP BY",
            line("cell refresh after a single answer", figures["cell_refresh"] * 1000, REFRESH_TARGET_MS, "ms"),
            line("cell refresh after a monthly survey", figures["monthly_refresh"] * 1000, REFRESH_TARGET_MS, "ms"),
        ]

    def _single_answers(self, tag, team, first, months, pulse, monthly) -> tuple[list[float], list[float]]:
        """Answer as a person does (the sums follow in the answer's transaction), then time the task's refresh."""
        people = list(StaffProfile.objects.filter(user__username__startswith=f"{tag}-").order_by("pk")[:SINGLE_ANSWERS])
        timings = {pulse.code: [], monthly.code: []}
        for index, person in enumerate(people):
            period = add_months(first, months // 2 + index)
            for instrument, time_point, answers in (
                (pulse, TimePoint.POST_VISIT, {"calm": 4, "time_to_meet": 3, "energised": 5}),
                (monthly, TimePoint.MONTHLY, {"work_ability": 7, "sick_leave_days": 1}),
            ):
                if instrument is monthly:  # one monthly survey per person and month: answer it again
                    person.survey_responses.filter(instrument=monthly, period=period).delete()
                submit_response(
                    instrument=instrument, time_point=time_point, answers=answers, team=team, recorded_by=None,
                    respondent=person, period=period, refresh_aggregates=False,
                )
                started = time.perf_counter()
                aggregation.refresh_cells(team_id=team.pk, period=period, instrument_code=instrument.code)
                timings[instrument.code].append(time.perf_counter() - started)
        return timings[pulse.code], timings[monthly.code]

    class _timed:
        def __init__(self, figures: dict, name: str):
            self.figures, self.name = figures, name

        def __enter__(self):
            self.started = time.perf_counter()

        def __exit__(self, *exc):
            self.figures[self.name] = time.perf_counter() - self.started
            return False

    @transaction.atomic
    def _generate(self, tag, team_id, staff, first, months, pulse, monthly, pulse_count, monthly_count):
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                                          is_staff, is_active, date_joined)
                   SELECT '!', false, %(tag)s || '-' || g, '', '', '', false, false, now()
                     FROM generate_series(1, %(staff)s) g""",
                {"tag": tag, "staff": staff},
            )
            cursor.execute(
                """INSERT INTO pairwork_staffprofile (user_id, role, art_forms, languages, phone, organisation_wide,
                                                     calendar_token_hash)
                   SELECT id, 'nurse', '{}', '{}', '', false, '' FROM auth_user WHERE username LIKE %(pattern)s""",
                {"pattern": f"{tag}-%"},
            )
            params = {
                "team": team_id, "first": first, "months": months, "pulse": pulse.pk, "monthly": monthly.pk,
                "pulse_count": pulse_count, "monthly_count": monthly_count, "pattern": f"{tag}-%",
            }
            # Staff i answers pulses in every month; monthly surveys are one per person and month.
            cursor.execute(
                """WITH people AS (SELECT array_agg(p.id ORDER BY p.id) AS ids, count(*) AS n
                                     FROM pairwork_staffprofile p JOIN auth_user u ON u.id = p.user_id
                                    WHERE u.username LIKE %(pattern)s)
                   INSERT INTO wellbeing_surveyresponse (instrument_id, time_point, respondent_id, team_id, period, submitted_at)
                   SELECT %(pulse)s, 'post_visit', people.ids[1 + g %% people.n], %(team)s,
                          (%(first)s::date + ((g / people.n) %% %(months)s) * interval '1 month')::date, now()
                     FROM people, generate_series(0, %(pulse_count)s - 1) g""",
                params,
            )
            cursor.execute(
                """WITH people AS (SELECT array_agg(p.id ORDER BY p.id) AS ids, count(*) AS n
                                     FROM pairwork_staffprofile p JOIN auth_user u ON u.id = p.user_id
                                    WHERE u.username LIKE %(pattern)s)
                   INSERT INTO wellbeing_surveyresponse (instrument_id, time_point, respondent_id, team_id, period, submitted_at)
                   SELECT %(monthly)s, 'monthly', people.ids[1 + g %% people.n], %(team)s,
                          (%(first)s::date + (g / people.n) * interval '1 month')::date, now()
                     FROM people, generate_series(0, %(monthly_count)s - 1) g""",
                params,
            )
            cursor.execute(
                """INSERT INTO wellbeing_responsescore (response_id, scale_id, value, answered)
                   SELECT r.id, s.id,
                          CASE WHEN s.code = 'sick_leave_days' THEN CASE WHEN random() < 0.7 THEN 0 ELSE floor(random() * 6) END
                               WHEN s.code = 'work_ability' THEN floor(4 + random() * 7)
                               ELSE floor(1 + random() * 5) END,
                          1
                     FROM wellbeing_surveyresponse r
                     JOIN wellbeing_scale s ON s.instrument_id = r.instrument_id
                    WHERE r.team_id = %(team)s""",
                params,
            )

    def _clean_up(self, tag, team):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM wellbeing_responsescore WHERE response_id IN (SELECT id FROM wellbeing_surveyresponse WHERE team_id = %s)",
                [team.pk],
            )
            cursor.execute(
                "DELETE FROM wellbeing_answer WHERE response_id IN (SELECT id FROM wellbeing_surveyresponse WHERE team_id = %s)",
                [team.pk],
            )
            cursor.execute("DELETE FROM wellbeing_surveyresponse WHERE team_id = %s", [team.pk])
            # The (zero) visit counts the monthly answers wrote to lock: derived rows with no foreign key.
            cursor.execute(
                """DELETE FROM wellbeing_staffmonthvisits WHERE staff_id IN (
                       SELECT p.id FROM pairwork_staffprofile p JOIN auth_user u ON u.id = p.user_id WHERE u.username LIKE %s)""",
                [f"{tag}-%"],
            )
            cursor.execute(
                "DELETE FROM pairwork_staffprofile WHERE user_id IN (SELECT id FROM auth_user WHERE username LIKE %s)",
                [f"{tag}-%"],
            )
            cursor.execute("DELETE FROM auth_user WHERE username LIKE %s", [f"{tag}-%"])
            MetricAggregate.objects.filter(team=team).delete()
            VisitAggregate.objects.filter(team=team).delete()
            TeamPairStart.objects.filter(team=team).delete()
            team.delete()
        aggregation.rebuild_all()

"""`manage.py bench_scale`: the main pages at demo size and at region size, side by side.

Only ever runs on a database without real data: one that is empty, one whose
name says it is for benchmarking ("bench" or "scratch" in it), or a scratch
database of its own (`--scratch`, dropped afterwards unless `--keep`).

1. Seeds the demo world and measures, in-process with Django's test client
   (signed in as the demo users), each main page and API list: the median and
   95th-percentile latency and the number of SQL queries; `schedule_visit`
   (rolled back each time) and "who accessed this client" (the access-log
   page) are timed alongside. Pages are built every time (the page cache is
   off while measuring).
2. Grows the database to a region with set-based SQL (INSERT ... SELECT
   generate_series; minutes, not hours): about 40 teams, 1 500 staff in
   pairs, 15 000 clients, 1 M visits over three years without overlaps
   (every pair's visits on slots of their own, every client visited by one
   pair), 2 M survey responses and 20 M access-log rows spread over all
   clients, the demo's included, in the log's monthly partitions.
   `--scale 0.1` builds a tenth of that.
3. Measures the same again and prints both with the ratios and the targets:
   the same query counts, latency at most 2x, `schedule_visit` median at most
   20 ms, the access-log page at most 100 ms.

Building a region takes 20-30 minutes of CPU, so it can be built once and
measured again: `--scratch --keep` leaves the scratch database (its name is
printed), and `--scratch --region NAME` measures the demo in a fresh scratch
database (about a minute) and the kept region NAME instead of building one.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import statistics
import time
import uuid
from dataclasses import dataclass
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import F, Q
from django.test import Client as TestClient
from django.test.utils import override_settings
from django.utils import timezone

from access.storage import ensure_partitions
from clients.models import Client
from pairwork import data_generation
from pairwork.auth_backends import UserWithProfileBackend
from pairwork.models import Team, WorkPair
from pairwork.throttles import UserRateThrottle
from wellbeing import aggregation, metrics
from wellbeing.models import MetricAggregate, Span
from wellbeing.selectors import current_instrument

REGION = {"teams": 40, "staff": 1_500, "clients": 15_000, "visits": 1_000_000, "responses": 2_000_000,
          "access_rows": 20_000_000}
YEARS_DAYS = 3 * 365
LATENCY_RATIO_TARGET = 2.0
SCHEDULE_TARGET_MS = 20.0
ACCESS_LOG_TARGET_MS = 100.0
BENCH_WORDS = ("bench", "scratch")
# The dashboard as its first reader after a change of its cells sees it: what one monthly answer's refresh writes
# (aggregation.refresh_cells: its instrument's month cells of one team and of all teams), so the changed metrics
# are read and decided anew (wellbeing.dashboard.cells).
AFTER_A_CHANGE = "dashboard (first read after a change)"
# ... and after a change elsewhere (a visit note, a booking): the data's generation moves, the cells' versions stand.
AFTER_AN_UNRELATED_CHANGE = "dashboard (first read after an unrelated change)"


@dataclass(frozen=True)
class Figure:
    median_ms: float
    p95_ms: float
    queries: int


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Measure the main pages at demo size and at region size (a benchmark database only; see --scratch)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="Share of a region to build (e.g. 0.1).")
        parser.add_argument("--repeat", type=int, default=15, help="Timed loads of each page at each size.")
        parser.add_argument(
            "--scratch", action="store_true",
            help="Create a scratch database next to DATABASE_URL's, run there, drop it afterwards.",
        )
        parser.add_argument("--keep", action="store_true", help="With --scratch: leave the scratch database.")
        parser.add_argument(
            "--region", metavar="DATABASE", default="",
            help="Measure this region database (one kept by --scratch --keep) instead of building one.",
        )

    def handle(self, *args, scale: float, repeat: int, scratch: bool, keep: bool, region: str, **options):
        if not 0 < scale <= 2:
            raise CommandError("--scale must be above 0 and at most 2.")
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        original = connection.settings_dict["NAME"]
        scratch_name = None
        if scratch:
            scratch_name = f"{original}_bench_scale_{uuid.uuid4().hex[:6]}"[:63]
            self._create_database(scratch_name)
            self._use_database(scratch_name)
            call_command("migrate", verbosity=0, interactive=False)
        try:
            self._refuse_real_data()
            self._run(scale=scale, repeat=repeat, region=region)
        finally:
            if scratch_name or region:
                self._use_database(original)
            if scratch_name:
                if keep:
                    self.stdout.write(f"Scratch database kept: {scratch_name}")
                else:
                    self._drop_database(scratch_name)

    # --- Safety -------------------------------------------------------------------------------

    def _refuse_real_data(self) -> None:
        name = connection.settings_dict["NAME"] or ""
        if any(word in name.lower() for word in BENCH_WORDS):
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM auth_user) OR EXISTS (SELECT 1 FROM pairwork_team)"
                " OR EXISTS (SELECT 1 FROM clients_client)"
            )
            if cursor.fetchone()[0]:
                raise CommandError(
                    f"Refusing to run on database {name!r}: it holds data and its name does not say it is for "
                    "benchmarking. Use --scratch, an empty database, or one named with 'bench' or 'scratch'."
                )

    def _create_database(self, name: str) -> None:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')

    def _drop_database(self, name: str) -> None:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _use_database(self, name: str) -> None:
        connection.close()
        connection.settings_dict["NAME"] = name
        settings.DATABASES["default"]["NAME"] = name

    # --- The run ------------------------------------------------------------------------------

    def _run(self, *, scale: float, repeat: int, region: str) -> None:
        started = time.perf_counter()
        # The demo refuses a production settings file; this database has just been shown to be a benchmark's.
        with override_settings(DEBUG=True):
            from pairwork.demo import seed_demo

            seed_demo()
        aggregation.rebuild_all(full=True)
        self.stdout.write(f"Demo seeded in {time.perf_counter() - started:.1f} s.")
        self._analyze()
        demo = self._measure(repeat)
        if region:
            self._use_database(region)
            self._refuse_real_data()
            self._refuse_unmigrated()
            self.stdout.write(f"Region: database {region}, " + ", ".join(
                f"{number:,} {what}" for what, number in self._region_counts().items()))
            where = f"database {region}"
        else:
            counts, seconds = self._grow(scale)
            self.stdout.write(
                f"Region built in {seconds:.0f} s: " + ", ".join(f"{number:,} {what}" for what, number in counts.items())
            )
            where = f"scale {scale:g}"
        self._print(demo, self._measure(repeat), where)

    def _refuse_unmigrated(self) -> None:
        """A kept region from before a migration would measure an older schema: migrate it first, knowingly."""
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            name = connection.settings_dict["NAME"]
            raise CommandError(f"Database {name!r} has unapplied migrations: run migrate on it, then measure it again.")

    def _region_counts(self) -> dict[str, int]:
        from visits.models import Visit
        from wellbeing.models import SurveyResponse

        return {
            "teams": Team.objects.count(), "clients": Client.objects.count(), "visits": Visit.objects.count(),
            "survey responses": SurveyResponse.objects.count(),
        }

    def _analyze(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")

    # --- Measuring ----------------------------------------------------------------------------

    def _pages(self) -> list[tuple[str, str, str]]:
        client = (
            Client.objects.filter(team__members__user__username="koordinaattori", archived_at__isnull=True)
            .order_by("pk").values_list("pk", flat=True).first()
        )
        from visits.models import Visit

        visit = (
            Visit.objects.filter(participants__staff__user__username="hoitaja")
            .order_by("-starts_at").values_list("pk", flat=True).first()
        )
        return [
            ("home (coordinator)", "/", "koordinaattori"),
            ("home (nurse)", "/", "hoitaja"),
            ("home (manager)", "/", "esihenkilo"),
            ("week calendar", "/visits/calendar/", "koordinaattori"),
            ("my visits (nurse)", "/visits/mine/", "hoitaja"),
            ("clients", "/clients/", "koordinaattori"),
            ("client page", f"/clients/{client}/", "koordinaattori"),
            ("client access log (who accessed)", f"/clients/{client}/access-log/", "koordinaattori"),
            ("visit page (nurse)", f"/visits/{visit}/", "hoitaja"),
            ("pairs", "/pairs/", "koordinaattori"),
            ("dashboard", "/wellbeing/dashboard/", "esihenkilo"),
            (AFTER_A_CHANGE, "/wellbeing/dashboard/", "esihenkilo"),
            (AFTER_AN_UNRELATED_CHANGE, "/wellbeing/dashboard/", "esihenkilo"),
            ("GET /api/v1/visits/", "/api/v1/visits/", "koordinaattori"),
            ("GET /api/v1/clients/", "/api/v1/clients/", "koordinaattori"),
            ("GET /api/v1/pairs/", "/api/v1/pairs/", "koordinaattori"),
            ("GET /api/v1/staff/", "/api/v1/staff/", "koordinaattori"),
            ("GET /api/v1/dashboard/", "/api/v1/dashboard/", "esihenkilo"),
        ]

    def _measure(self, repeat: int) -> dict[str, Figure]:
        # Signing in writes an INFO line per login (django-axes); the hosts let the test client in with DEBUG off.
        # Each page is built every time, without the page cache (access.page_cache): it would serve the repeated
        # loads from Redis and hide what this measures, the queries and rendering of a page at each size.
        # The API throttle is off too: a benchmark is one user asking hundreds of times, and repeated runs within a
        # window would be refused (the counters live in Redis, the demo users' ids are the same in every scratch run).
        logging.getLogger("axes").setLevel(logging.WARNING)
        with (
            override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "localhost"], PAGE_CACHE=False),
            mock.patch.dict(UserRateThrottle.THROTTLE_RATES, {"user": None}),
        ):
            return self._measure_pages(repeat)

    def _measure_pages(self, repeat: int) -> dict[str, Figure]:
        # Loaded as a request loads the session's user (profile and team ids with it), for the timed services too.
        backend = UserWithProfileBackend()
        users = {user.username: backend.get_user(user.pk) for user in get_user_model().objects.filter(
            username__in=["koordinaattori", "hoitaja", "esihenkilo"])}
        browsers = {}
        for username, user in users.items():
            browser = TestClient(HTTP_HOST="localhost")
            browser.force_login(user)
            browsers[username] = browser
        figures: dict[str, Figure] = {}
        touch_cells = self._an_answers_cells()
        for label, path, username in self._pages():
            browser = browsers[username]
            self._get(browser, path, label)  # warm-up: compiled templates, caches
            timings = []
            queries = _QueryCounter()
            for index in range(repeat):
                if label == AFTER_A_CHANGE:
                    touch_cells()  # committed: the generation and the touched metrics' versions move
                elif label == AFTER_AN_UNRELATED_CHANGE:
                    data_generation.advance()  # as after any committed change of other data
                with queries if index == 0 else contextlib.nullcontext():  # the count costs a function call per query
                    began = time.perf_counter()
                    self._get(browser, path, label)
                    timings.append((time.perf_counter() - began) * 1000)
            figures[label] = Figure(statistics.median(timings), _percentile(timings, 0.95), queries.count)
        figures["schedule_visit"] = self._time_schedule_visit(users["koordinaattori"], repeat)
        figures["free-time search (4 weeks)"] = self._time_free_times(users["koordinaattori"], repeat)
        return figures

    def _an_answers_cells(self):
        """Rewrite, unchanged, the cells one monthly answer's refresh writes: the newest month of a team, and all teams."""
        newest = (
            MetricAggregate.objects.filter(span=Span.MONTH, metric__in=metrics.STAFF_METRICS, team__isnull=False)
            .order_by("-period", "team_id").values_list("team_id", "period").first()
        )
        if newest is None:
            raise CommandError("No monthly survey cells to change: the dashboard's first read after a change needs some.")
        team_id, period = newest
        cells = MetricAggregate.objects.filter(span=Span.MONTH, period=period, metric__in=metrics.STAFF_METRICS).filter(
            Q(team_id=team_id) | Q(team__isnull=True)
        )

        def touch() -> None:
            cells.update(respondents=F("respondents"))

        return touch

    def _get(self, browser, path: str, label: str):
        accept = "application/json" if path.startswith("/api/") else "text/html"
        response = browser.get(path, HTTP_ACCEPT=accept, secure=True)
        if response.status_code != 200:
            raise CommandError(f"{label}: {path} answered {response.status_code}")
        return response

    def _time_schedule_visit(self, user, repeat: int) -> Figure:
        """Book a visit of a demo pair (a different future day each time), rolled back: no trace is left."""
        from visits.services import schedule_visit

        pair = WorkPair.objects.filter(team__members__user=user, active_until__isnull=True).order_by("pk").first()
        client = Client.objects.filter(team=pair.team, consent_given=True, archived_at__isnull=True).order_by("pk").first()
        timings, queries = [], 0
        base = timezone.localdate() + dt.timedelta(days=400)
        for index in range(repeat + 1):
            starts_at = timezone.make_aware(dt.datetime.combine(base + dt.timedelta(days=index), dt.time(6, 0)))
            with _QueryCounter() as captured:
                began = time.perf_counter()
                try:
                    with transaction.atomic():
                        schedule_visit(client=client, pair=pair, starts_at=starts_at,
                                       ends_at=starts_at + dt.timedelta(minutes=60), by=user)
                        elapsed = time.perf_counter() - began
                        raise _RolledBack
                except _RolledBack:
                    pass
            if index:  # the first one warms up
                timings.append(elapsed * 1000)
                queries = captured.count
        return Figure(statistics.median(timings), _percentile(timings, 0.95), queries)

    def _time_free_times(self, user, repeat: int) -> Figure:
        """The next free times of a demo client, four weeks ahead, every pair of the team (visits.free_times)."""
        from visits.free_times import next_free_times

        pair = WorkPair.objects.filter(team__members__user=user, active_until__isnull=True).order_by("pk").first()
        client = Client.objects.filter(team=pair.team, consent_given=True, archived_at__isnull=True).order_by("pk").first()
        first = timezone.localdate() + dt.timedelta(days=1)
        timings, queries = [], 0
        for index in range(repeat + 1):
            with _QueryCounter() as captured:
                began = time.perf_counter()
                next_free_times(client, duration=dt.timedelta(minutes=60), date_from=first,
                                date_to=first + dt.timedelta(days=27), viewer=user)
                elapsed = time.perf_counter() - began
            if index:  # the first one warms up
                timings.append(elapsed * 1000)
                queries = captured.count
        return Figure(statistics.median(timings), _percentile(timings, 0.95), queries)

    # --- Growing to a region ------------------------------------------------------------------

    def _grow(self, scale: float) -> tuple[dict[str, int], float]:
        started = time.perf_counter()
        teams = max(2, round(REGION["teams"] * scale))
        pairs = max(teams, round((REGION["staff"] * scale - teams) / 2))
        clients = max(pairs, round(REGION["clients"] * scale))
        visits = max(pairs, round(REGION["visits"] * scale))
        per_pair = max(1, visits // pairs)
        if per_pair > 2 * YEARS_DAYS:
            raise CommandError("Too many visits per pair for two slots a day over three years; raise the staff.")
        responses = round(REGION["responses"] * scale)
        access_rows = round(REGION["access_rows"] * scale)
        tag = f"region-{uuid.uuid4().hex[:6]}"
        first_day = timezone.localdate() - dt.timedelta(days=YEARS_DAYS - 180)  # 2.5 years back, half a year ahead
        pulse, monthly = current_instrument(metrics.PULSE), current_instrument(metrics.MONTHLY)
        params = {
            "tag": tag, "teams": teams, "pairs": pairs, "clients": clients, "per_pair": per_pair,
            "slots": 2 * YEARS_DAYS, "first_day": first_day, "any_time_of_day": "", "tz": settings.TIME_ZONE,
            "responses": responses, "access_rows": access_rows, "days": YEARS_DAYS,
            "pulse": pulse.pk, "monthly": monthly.pk,
        }
        ensure_partitions(since=timezone.now() - dt.timedelta(days=YEARS_DAYS + 1))
        steps: list[tuple[float, str]] = []
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            for statement in _GROW_STATEMENTS:
                began = time.perf_counter()
                cursor.execute(statement, params)
                steps.append((time.perf_counter() - began, _table_of(statement)))
            began = time.perf_counter()
        steps.append((time.perf_counter() - began, "commit (deferred foreign-key checks)"))
        began = time.perf_counter()
        aggregation.rebuild_all(full=True)
        self._analyze()
        steps.append((time.perf_counter() - began, "rebuild_wellbeing --full and VACUUM ANALYZE"))
        self.stdout.write("Slowest build steps: " + "; ".join(
            f"{what} {seconds:.1f} s" for seconds, what in sorted(steps, reverse=True)[:4]))
        counts = {
            "teams": teams, "staff": teams + 2 * pairs, "clients": clients, "visits": per_pair * pairs,
            "survey responses": responses, "access-log rows": access_rows,
        }
        return counts, time.perf_counter() - started

    # --- Report -------------------------------------------------------------------------------

    def _print(self, demo: dict[str, Figure], region: dict[str, Figure], where: str) -> None:
        width = max(len(label) for label in demo)
        lines = [
            "",
            f"{'page':<{width}}  {'demo median':>11} {'p95':>7} {'queries':>7}  "
            f"{'region median':>13} {'p95':>7} {'queries':>7}  {'ratio':>5}  verdict",
        ]
        for label, small in demo.items():
            large = region[label]
            ratio = large.median_ms / small.median_ms if small.median_ms else 0.0
            problems = []
            if label != "schedule_visit" and large.queries != small.queries:
                problems.append("query count differs")
            if ratio > LATENCY_RATIO_TARGET:
                problems.append(f"over {LATENCY_RATIO_TARGET:g}x")
            if label == "schedule_visit" and large.median_ms > SCHEDULE_TARGET_MS:
                problems.append(f"over {SCHEDULE_TARGET_MS:g} ms")
            if label.startswith("client access log") and large.median_ms > ACCESS_LOG_TARGET_MS:
                problems.append(f"over {ACCESS_LOG_TARGET_MS:g} ms")
            lines.append(
                f"{label:<{width}}  {small.median_ms:9.1f}ms {small.p95_ms:5.1f}ms {small.queries:7d}  "
                f"{large.median_ms:11.1f}ms {large.p95_ms:5.1f}ms {large.queries:7d}  {ratio:5.2f}  "
                + ("MISSES: " + ", ".join(problems) if problems else "meets")
            )
        lines.append(
            f"Targets at region size ({where}): the same query counts, median <= {LATENCY_RATIO_TARGET:g}x demo, "
            f"schedule_visit median <= {SCHEDULE_TARGET_MS:g} ms, access-log page <= {ACCESS_LOG_TARGET_MS:g} ms."
        )
        self.stdout.write("\n".join(lines))


def _table_of(statement: str) -> str:
    words = statement.split()
    return next((words[i + 1] for i, word in enumerate(words[:-1]) if word in ("INTO", "TABLE", "ON")), words[0])


class _RolledBack(Exception):
    pass


class _QueryCounter:
    """Counts the SQL statements run inside it (a request's start resets Django's own query log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)


# Every statement builds on the rows of the one before; all are set-based (no per-row Python).
_GROW_STATEMENTS = [
    # Teams, named by the run's tag.
    """INSERT INTO pairwork_team (name, area, description, travel_buffer_minutes, created_at)
       SELECT %(tag)s || '-team-' || g, 'Alue ' || g, '', 0, now() - interval '3 years'
         FROM generate_series(0, %(teams)s - 1) g""",
    """CREATE TEMP TABLE bench_teams ON COMMIT DROP AS
       SELECT id, row_number() OVER (ORDER BY id) - 1 AS t FROM pairwork_team WHERE name LIKE %(tag)s || '-team-%%'""",
    # People: per team a coordinator; then artist and nurse of each pair.
    """INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                              date_joined)
       SELECT '!', false, %(tag)s || '-' || kind || '-' || g,
              (ARRAY['Aino', 'Eero', 'Helmi', 'Juho', 'Kaisa', 'Lauri', 'Mervi', 'Onni'])[1 + g %% 8],
              'Testi-' || kind || g, '', false, true, now()
         FROM (SELECT 'coord' AS kind, g FROM generate_series(0, %(teams)s - 1) g
               UNION ALL SELECT 'artist', g FROM generate_series(0, %(pairs)s - 1) g
               UNION ALL SELECT 'nurse', g FROM generate_series(0, %(pairs)s - 1) g) people""",
    """CREATE TEMP TABLE bench_people ON COMMIT DROP AS
       SELECT u.id AS user_id, split_part(u.username, '-', 3) AS kind, split_part(u.username, '-', 4)::int AS g
         FROM auth_user u WHERE u.username LIKE %(tag)s || '-%%'""",
    """INSERT INTO pairwork_staffprofile (user_id, role, art_forms, languages, phone, organisation_wide,
                                         calendar_token_hash)
       SELECT user_id, CASE kind WHEN 'coord' THEN 'coordinator' ELSE kind END,
              CASE kind WHEN 'artist' THEN ARRAY['music'] ELSE '{}' END, '{fi}', '', false, ''
         FROM bench_people""",
    """CREATE TEMP TABLE bench_staff ON COMMIT DROP AS
       SELECT p.id, b.kind, b.g, b.user_id FROM pairwork_staffprofile p JOIN bench_people b ON b.user_id = p.user_id""",
    """INSERT INTO pairwork_staffprofile_teams (staffprofile_id, team_id)
       SELECT s.id, t.id FROM bench_staff s
         JOIN bench_teams t ON t.t = CASE s.kind WHEN 'coord' THEN s.g ELSE s.g %% %(teams)s END""",
    """INSERT INTO pairwork_workpair (artist_id, nurse_id, artist_role, nurse_role, team_id, active_from, active_until,
                                     shared_agreement, created_at)
       SELECT a.id, n.id, 'artist', 'nurse', t.id, %(first_day)s, NULL, '', now()
         FROM bench_staff a JOIN bench_staff n ON n.kind = 'nurse' AND n.g = a.g
         JOIN bench_teams t ON t.t = a.g %% %(teams)s
        WHERE a.kind = 'artist'""",
    """CREATE TEMP TABLE bench_pairs ON COMMIT DROP AS
       SELECT w.id, w.artist_id, w.nurse_id, w.team_id, a.g AS j
         FROM pairwork_workpair w JOIN bench_staff a ON a.id = w.artist_id""",
    # Clients: client g is visited by pair g mod pairs, in that pair's team.
    """INSERT INTO clients_client (first_name, last_name, birth_year, team_id, street_address, postal_code, area, phone,
                                  language, needs_and_wishes, preferred_art_forms, safety_notes, health_notes,
                                  consent_given, consent_date, archived_at, created_at, updated_at,
                                  preferred_weekdays, preferred_time_of_day)
       SELECT (ARRAY['Elli', 'Toivo', 'Sylvi', 'Veikko', 'Impi', 'Arvo'])[1 + g %% 6], %(tag)s || '-' || g,
              1930 + g %% 30, p.team_id, 'Testitie ' || (1 + g %% 200), '00100', 'Alue', '', 'fi', '', '{}', '', '',
              true, %(first_day)s, NULL, now(), now(), '{}', %(any_time_of_day)s
         FROM generate_series(0, %(clients)s - 1) g JOIN bench_pairs p ON p.j = g %% %(pairs)s""",
    """CREATE TEMP TABLE bench_clients ON COMMIT DROP AS
       SELECT c.id, split_part(c.last_name, '-', 3)::int AS g FROM clients_client c
        WHERE c.last_name LIKE %(tag)s || '-%%'""",
    """CREATE UNIQUE INDEX ON bench_clients (g)""",
    """INSERT INTO clients_carerelationship (client_id, nurse_id, nurse_role, is_primary, since)
       SELECT c.id, p.nurse_id, 'nurse', true, %(first_day)s
         FROM bench_clients c JOIN bench_pairs p ON p.j = c.g %% %(pairs)s""",
    # Visits: pair j's i-th visit takes slot i*slots/per_pair (two slots a day, 9:00 and 13:00 local), so a
    # pair never overlaps itself, and its clients (whom no other pair visits) never overlap either.
    """INSERT INTO visits_visit (client_id, pair_id, series_id, starts_at, ends_at, status, cancellation_reason,
                                outcome_recorded_by_id, outcome_recorded_at, created_by_id, created_at, updated_at)
       SELECT c.id, p.id, NULL, slot.starts_at, slot.starts_at + interval '90 minutes',
              CASE WHEN slot.starts_at >= now() THEN 'planned' WHEN i %% 20 = 0 THEN 'no_show' ELSE 'completed' END,
              '', NULL, NULL, NULL, now(), now()
         FROM bench_pairs p
        CROSS JOIN generate_series(0, %(per_pair)s - 1) i
        CROSS JOIN LATERAL (SELECT i::bigint * %(slots)s / %(per_pair)s AS s) k
        CROSS JOIN LATERAL (
              SELECT ((%(first_day)s::date + (k.s / 2)::int)::timestamp
                      + make_interval(hours => 9 + 4 * (k.s %% 2)::int)) AT TIME ZONE %(tz)s AS starts_at) slot
         JOIN bench_clients c
           ON c.g = (i %% ((%(clients)s - p.j + %(pairs)s - 1) / %(pairs)s)) * %(pairs)s + p.j""",
    """INSERT INTO visits_visitparticipant (visit_id, staff_id, role)
       SELECT v.id, person.staff_id, person.role
         FROM visits_visit v JOIN bench_pairs p ON p.id = v.pair_id
        CROSS JOIN LATERAL (VALUES (p.artist_id, 'artist'), (p.nurse_id, 'nurse')) person(staff_id, role)""",
    # Survey responses: a monthly survey from each nurse in each month (at most a quarter of them), pulses for the rest.
    """CREATE TEMP TABLE bench_respondents ON COMMIT DROP AS
       SELECT row_number() OVER (ORDER BY s.id) - 1 AS r, s.id, p.team_id, s.kind
         FROM bench_staff s JOIN bench_pairs p ON s.id IN (p.artist_id, p.nurse_id)""",
    """INSERT INTO wellbeing_surveyresponse (instrument_id, time_point, respondent_id, team_id, period, submitted_at)
       SELECT %(monthly)s, 'monthly', b.id, b.team_id, month.period, month.period + interval '20 days'
         FROM bench_respondents b
        CROSS JOIN LATERAL (SELECT (date_trunc('month', %(first_day)s::date) + m * interval '1 month')::date AS period
                              FROM generate_series(0, 29) m) month
        WHERE b.kind = 'nurse'
        LIMIT %(responses)s / 4""",
    """WITH people AS (SELECT count(*) AS n FROM bench_respondents),
            monthly AS (SELECT count(*) AS n FROM wellbeing_surveyresponse r JOIN bench_respondents b ON b.id = r.respondent_id)
       INSERT INTO wellbeing_surveyresponse (instrument_id, time_point, respondent_id, team_id, period, submitted_at)
       SELECT %(pulse)s, 'post_visit', b.id, b.team_id, month.period, month.period + interval '10 days'
         FROM people, monthly, generate_series(0, greatest(%(responses)s - monthly.n, 0) - 1) g
         JOIN bench_respondents b ON b.r = g %% (SELECT n FROM people)
        CROSS JOIN LATERAL (SELECT (date_trunc('month', %(first_day)s::date)
                                    + ((g / (SELECT n FROM people)) %% 30) * interval '1 month')::date AS period) month""",
    """INSERT INTO wellbeing_responsescore (response_id, scale_id, value, answered)
       SELECT r.id, s.id,
              CASE WHEN s.code = 'sick_leave_days' THEN CASE WHEN random() < 0.7 THEN 0 ELSE floor(random() * 6) END
                   WHEN s.code = 'work_ability' THEN floor(4 + random() * 7)
                   ELSE floor(1 + random() * 5) END, 1
         FROM wellbeing_surveyresponse r JOIN bench_respondents b ON b.id = r.respondent_id
         JOIN wellbeing_scale s ON s.instrument_id = r.instrument_id""",
    # The access log: rows spread evenly over three years and over every client (the demo's too).
    """CREATE TEMP TABLE bench_log_clients ON COMMIT DROP AS
       SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM clients_client""",
    """CREATE UNIQUE INDEX ON bench_log_clients (k)""",
    """WITH n AS (SELECT count(*) AS clients FROM bench_log_clients),
            readers AS (SELECT array_agg(user_id ORDER BY user_id) AS ids, count(*) AS n FROM bench_staff)
       INSERT INTO clients_accesslog (at, user_id, username, client_id, object_type, object_id, action, grounds,
                                      allowed, channel)
       SELECT now() - interval '1 hour' - (%(days)s * interval '1 day') * (1 - g::float8 / %(access_rows)s),
              readers.ids[1 + g %% readers.n], %(tag)s || '-reader', c.id, 'client', c.id::text, 'view',
              'visit participant', true, 'web'
         FROM n, readers, generate_series(0, %(access_rows)s - 1) g
         JOIN bench_log_clients c ON c.k = (g::bigint * 7919) %% (SELECT clients FROM n)""",
]

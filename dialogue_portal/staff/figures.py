"""Figures for editors: views, downloads, ratings and votes per day and per publication
over the last 7, 30 or 365 days, from the daily rows (publications.DailyCount) and the
vote rows, summed in the database in a fixed number of queries whatever the number of
publications."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from polls.models import Vote
from publications.models import DailyCount, Publication, Topic

PERIODS = (7, 30, 365)
DEFAULT_PERIOD = 30
EARLIEST = dt.date(2000, 1, 1)
TOP = 10
CACHE_SECONDS = 300
TOP_PER_GROUP = 3
METRICS = ("views", "downloads", "ratings", "votes")
# Publications rank by views, then downloads, ratings, votes, and age (the older first).


@dataclass(frozen=True)
class Period:
    days: int
    end: dt.date

    @property
    def start(self):
        return self.end - dt.timedelta(days=self.days - 1)

    def dates(self):
        return [self.start + dt.timedelta(days=n) for n in range(self.days)]

    @property
    def bounds(self):
        """The period as aware datetimes, [start of first day, start of the day after)."""
        zone = timezone.get_current_timezone()
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return first, after


def parse_period(params):
    """The period a query string asks for (``days``: 7, 30 or 365; ``end``: an ISO date up
    to today); anything else falls back to the last 30 days up to today."""
    today = timezone.localdate()
    raw_days = params.get("days", "")
    days = int(raw_days) if raw_days in {str(p) for p in PERIODS} else DEFAULT_PERIOD
    try:
        end = dt.date.fromisoformat(params.get("end", ""))
    except (TypeError, ValueError):
        end = today
    if not EARLIEST <= end <= today:
        end = today
    return Period(days=days, end=end)


@dataclass
class Row:
    """Counts of one day, one publication or one poll."""

    views: int = 0
    downloads: int = 0
    ratings: int = 0
    votes: int = 0
    day: dt.date | None = None
    publication: Publication | None = None
    label: str = ""

    def add(self, other):
        for metric in METRICS:
            setattr(self, metric, getattr(self, metric) + getattr(other, metric))


@dataclass
class Figures:
    period: Period
    days: list
    totals: Row
    top: list
    by_language: list = field(default_factory=list)  # [(language label, [Row])]
    by_topic: list = field(default_factory=list)  # [(topic name, [Row])]
    polls: list = field(default_factory=list)  # [Row] with label = question
    summed_at: dt.datetime = field(default_factory=timezone.now)


def _sums():
    return {metric: Sum(metric) for metric in METRICS}


def _row(values, **extra):
    return Row(**{metric: values[metric] or 0 for metric in METRICS}, **extra)


def collect(period):
    """The figures of ``period``: from the cache when they were summed less than
    CACHE_SECONDS ago (a year of daily rows takes a moment to sum), else summed now."""
    key = f"staff:figures:{period.days}:{period.end.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        figures = summed(period)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def summed(period):
    """Everything the figures page shows, in five queries."""
    in_period = DailyCount.objects.filter(day__gte=period.start, day__lte=period.end).order_by()

    by_day = {
        values["day"]: values
        for values in in_period.values("day").annotate(**_sums())  # 1
    }
    first, after = period.bounds
    in_period_votes = Vote.objects.counted().filter(created_at__gte=first, created_at__lt=after)
    votes_by_day = {
        values["day"]: values["n"]
        for values in in_period_votes.annotate(day=TruncDate("created_at"))  # 2
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    }
    days, totals = [], Row()
    for day in period.dates():
        row = _row(by_day.get(day, {}), day=day) if day in by_day else Row(day=day)
        row.votes = votes_by_day.get(day, 0)  # every poll's votes, linked or not
        totals.add(row)
        days.append(row)

    ranked = _rankings(period)  # 3
    top = [v for v in ranked if v["kind"] == "top"]
    by_language = [{**v, "group_key": v["language"]} for v in ranked if v["kind"] == "language"]
    by_topic = [{**v, "group_key": v["topic_id"]} for v in ranked if v["kind"] == "topic"]
    ids = {values["publication_id"] for values in [*top, *by_language, *by_topic]}
    publications = Publication.objects.only("pk", "title", "slug", "language").in_bulk(ids)  # 4
    polls = [  # 5
        Row(votes=values["n"], label=values["poll__question"])
        for values in in_period_votes.values("poll_id", "poll__question")
        .annotate(n=Count("pk"))
        .order_by("-n", "poll_id")[:TOP]
    ]

    def rows(group):
        return [_row(v, publication=publications.get(v["publication_id"])) for v in group]

    languages = dict(Publication._meta.get_field("language").choices)
    return Figures(
        period=period,
        days=days,
        totals=totals,
        top=rows(top),
        by_language=_grouped(by_language, lambda v: languages.get(v["language"], "?"), rows),
        by_topic=_grouped(by_topic, lambda v: v["topic_name"], rows),
        polls=polls,
    )


def _rankings(period):
    """The TOP publications of the period, and the TOP_PER_GROUP of each language and each
    topic, ranked as the module says, as dicts (``kind``: top, language or topic) in display order.

    One query: the period's rows are summed per publication once, and the three rankings
    read that sum. On PostgreSQL the sum walks the unique index in publication order (no
    hash table, no sort) and reads the counts from the table, which no index holds so
    that readers' writes update rows in place (DailyCount). Raw SQL, as the ORM can
    neither share one aggregate between queries nor rank by aggregates in a window
    without grouping by it.
    """
    quote = connection.ops.quote_name
    daily = quote(DailyCount._meta.db_table)
    publication = quote(Publication._meta.db_table)
    links = quote(Publication.topics.through._meta.db_table)
    topic = quote(Topic._meta.db_table)
    sums = ", ".join(f"SUM({m}) AS {m}" for m in METRICS)
    counts = ", ".join(f"s.{m}" for m in METRICS)
    ranking = ", ".join(f"s.{m} DESC" for m in METRICS) + ", s.publication_id"
    # Table and column names come from the models' metadata; values are parameters. The
    # languages come from a narrow index (pub_id_language), and topic names are joined to
    # the few ranked rows only, so nothing reads the wide publication rows.
    sql = (
        f"WITH per_publication AS (SELECT publication_id, {sums} FROM {daily} "  # noqa: S608
        f"WHERE day >= %s AND day <= %s GROUP BY publication_id) "
        f"SELECT ranked.*, t.name AS topic_name FROM ("
        f"SELECT 'top' AS kind, '' AS language, CAST(NULL AS BIGINT) AS topic_id, "
        f"s.publication_id, {counts}, ROW_NUMBER() OVER (ORDER BY {ranking}) AS position "
        f"FROM (SELECT * FROM per_publication s ORDER BY {ranking} LIMIT %s) s "
        f"UNION ALL "
        f"SELECT 'language', s.language, NULL, s.publication_id, {counts}, "
        f"ROW_NUMBER() OVER (PARTITION BY s.language ORDER BY {ranking}) "
        f"FROM (SELECT s.*, p.language FROM per_publication s "
        f"JOIN {publication} p ON p.id = s.publication_id) s "
        f"UNION ALL "
        f"SELECT 'topic', '', l.topic_id, s.publication_id, {counts}, "
        f"ROW_NUMBER() OVER (PARTITION BY l.topic_id ORDER BY {ranking}) "
        f"FROM per_publication s JOIN {links} l ON l.publication_id = s.publication_id"
        f") ranked LEFT JOIN {topic} t ON t.id = ranked.topic_id "
        f"WHERE kind = 'top' OR position <= %s "
        f"ORDER BY kind, language, topic_name, ranked.topic_id, position"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.start, period.end, TOP, TOP_PER_GROUP])
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _grouped(values, name_of, rows):
    """[(name, rows)] from rows already ordered by group."""
    groups = []
    for item in values:
        if not groups or groups[-1][0] != item["group_key"]:
            groups.append((item["group_key"], name_of(item), []))
        groups[-1][2].append(item)
    return [(name, rows(items)) for _key, name, items in groups]

"""Figures for editors: views, downloads, ratings and votes per day and per publication
over the last 7, 30 or 365 days, from the daily rows (publications.DailyCount) and the
vote rows, summed in the database in a fixed number of queries whatever the number of
publications."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from polls.models import Vote
from publications.models import DailyCount, Publication, Topic

PERIODS = (7, 30, 365)
DEFAULT_PERIOD = 30
EARLIEST = dt.date(2000, 1, 1)
TOP = 10
TOP_PER_GROUP = 3
METRICS = ("views", "downloads", "ratings", "votes")
RANKING = [F(metric).desc() for metric in METRICS] + [F("publication_id").asc()]


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


def _sums():
    return {metric: Sum(metric) for metric in METRICS}


def _row(values, **extra):
    return Row(**{metric: values[metric] or 0 for metric in METRICS}, **extra)


def collect(period):
    """Everything the figures page shows, in seven queries."""
    in_period = DailyCount.objects.filter(day__gte=period.start, day__lte=period.end).order_by()

    by_day = {
        values["day"]: values
        for values in in_period.values("day").annotate(**_sums())  # 1
    }
    first, after = period.bounds
    votes_by_day = {
        values["day"]: values["n"]
        for values in Vote.objects.filter(created_at__gte=first, created_at__lt=after)  # 2
        .annotate(day=TruncDate("created_at"))
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

    per_publication = in_period.values("publication_id").annotate(**_sums())
    top = list(per_publication.order_by(*RANKING)[:TOP])  # 3
    by_language = _top_per_group(period, "language")  # 4
    by_topic = _top_per_group(period, "topic")  # 5
    ids = {values["publication_id"] for values in [*top, *by_language, *by_topic]}
    publications = Publication.objects.only("pk", "title", "slug", "language").in_bulk(ids)  # 6
    polls = [  # 7
        Row(votes=values["n"], label=values["poll__question"])
        for values in Vote.objects.filter(created_at__gte=first, created_at__lt=after)
        .values("poll_id", "poll__question")
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
        by_language=_grouped(by_language, lambda v: languages.get(v["group_name"], "?"), rows),
        by_topic=_grouped(by_topic, lambda v: v["group_name"], rows),
        polls=polls,
    )


def _top_per_group(period, group):
    """The TOP_PER_GROUP publications of each language or topic, ranked as RANKING, as
    dicts ordered by group then rank. Raw SQL: the ORM groups by the window expression too
    when a window orders by aggregates."""
    quote = connection.ops.quote_name
    daily = quote(DailyCount._meta.db_table)
    publication = quote(Publication._meta.db_table)
    if group == "language":
        key, name, joins = (
            "p.language",
            "p.language",
            f"JOIN {publication} p ON p.id = d.publication_id",
        )
    else:
        links = quote(Publication.topics.through._meta.db_table)
        topic = quote(Topic._meta.db_table)
        key, name = "t.id", "t.name"
        joins = (
            f"JOIN {links} l ON l.publication_id = d.publication_id "
            f"JOIN {topic} t ON t.id = l.topic_id"
        )
    sums = ", ".join(f"SUM(d.{m}) AS {m}" for m in METRICS)
    ranking = ", ".join(f"SUM(d.{m}) DESC" for m in METRICS) + ", d.publication_id"
    # Table and column names come from the models' metadata; values are parameters.
    sql = (
        f"SELECT * FROM (SELECT d.publication_id, {key} AS group_key, {name} AS group_name, "  # noqa: S608
        f"{sums}, ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY {ranking}) AS rank "
        f"FROM {daily} d {joins} WHERE d.day >= %s AND d.day <= %s "
        f"GROUP BY d.publication_id, {key}, {name}) ranked "
        f"WHERE rank <= %s ORDER BY group_name, group_key, rank"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.start, period.end, TOP_PER_GROUP])
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

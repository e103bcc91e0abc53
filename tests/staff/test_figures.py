"""The figures view: what readers did per day and per publication, drawn and tabled, with
a CSV export; a fixed number of queries; junk parameters fall back to the last 30 days."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogue_portal.staff.figures import DEFAULT_PERIOD, Period, parse_period
from dialogue_portal.staff.figures import summed as collect
from dialogue_portal.staff.models import AdminProfile
from polls.models import Vote
from publications.models import DailyCount, Publication
from tests.factories import make_poll, make_publication, make_topic

# Days and their edges: run again under every clock of tests/clock.py.
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

URL = reverse("staff:figures")
CSV_URL = reverse("staff:figures-csv")


def days_ago(n):
    return timezone.localdate() - dt.timedelta(days=n)


def counts(publication, n_days_ago, **values):
    return DailyCount.objects.create(publication=publication, day=days_ago(n_days_ago), **values)


def vote_on(poll, n_days_ago, reader):
    vote = Vote.objects.create(poll=poll, choice=poll.choices.first(), reader=reader)
    when = timezone.now() - dt.timedelta(days=n_days_ago)
    Vote.objects.filter(pk=vote.pk).update(created_at=when)


@pytest.fixture
def activity():
    security = make_topic(name="Security")
    energy = make_topic(name="Energy")
    read = make_publication(title="Much read", topics=[security])
    rated = make_publication(title="Well rated", topics=[security, energy])
    russian = make_publication(title="По-русски", language="ru", topics=[energy])
    old = make_publication(title="Read long ago")
    counts(read, 0, views=40, downloads=4)
    counts(read, 3, views=10, downloads=1, votes=2)
    counts(rated, 1, views=5, ratings=3)
    counts(russian, 2, views=7, downloads=2)
    counts(old, 100, views=999)
    poll = make_poll(question="Should we talk?")
    poll.publications.add(read)
    vote_on(poll, 3, "anon:a")
    vote_on(poll, 3, "anon:b")
    vote_on(poll, 0, "anon:c")
    return {"read": read, "rated": rated, "russian": russian, "old": old, "poll": poll}


def test_the_period_sums_per_day_and_ranks_publications(activity):
    figures = collect(parse_period({"days": "7"}))
    assert [row.day for row in figures.days] == [days_ago(n) for n in range(6, -1, -1)]
    today, three_days_ago = figures.days[-1], figures.days[-4]
    assert (today.views, today.downloads, today.votes) == (40, 4, 1)
    assert (three_days_ago.views, three_days_ago.votes) == (10, 2)
    assert (figures.totals.views, figures.totals.downloads) == (62, 7)
    assert (figures.totals.ratings, figures.totals.votes) == (3, 3)
    top = [row.publication.title for row in figures.top]
    assert top == ["Much read", "По-русски", "Well rated"]
    assert (figures.top[0].views, figures.top[0].votes) == (50, 2)
    assert [(name, [r.publication.title for r in rows]) for name, rows in figures.by_language] == [
        ("English", ["Much read", "Well rated"]),
        ("Russian", ["По-русски"]),
    ]
    assert [(name, [r.publication.title for r in rows]) for name, rows in figures.by_topic] == [
        ("Energy", ["По-русски", "Well rated"]),
        ("Security", ["Much read", "Well rated"]),
    ]
    assert [(row.label, row.votes) for row in figures.polls] == [("Should we talk?", 3)]
    # A year reaches the old one too.
    assert collect(parse_period({"days": "365"})).top[0].publication.title == "Read long ago"


def test_the_page_draws_charts_and_the_same_figures_as_a_table(client, superuser, activity):
    client.force_login(superuser)
    response = client.get(URL, {"days": "7"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") >= 5  # four metrics per day and the ranking
    assert html.count('role="img"') >= 5
    assert '<rect x="' in html and "style=" not in html.split('id="content-main"')[1]
    assert "<caption>Views, downloads, ratings and votes per day</caption>" in html
    assert '<th scope="col" class="numeric">Downloads</th>' in html
    assert "Much read" in html and "По-русски" in html and "Should we talk?" in html
    assert response.context["figures"].totals.views == 62
    assert "Read long ago" not in html


def test_russian_figures_keep_dots_in_svg_numbers(client, superuser, activity):
    AdminProfile.objects.create(user=superuser, admin_language="ru")
    client.force_login(superuser)
    html = client.get(URL, {"days": "30"}).content.decode()
    assert "Статистика для редакторов" in html and "Просмотры" in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "," not in svg.split("<title>")[0]  # a comma decimal would break the geometry


@pytest.mark.parametrize(
    "params",
    [
        {"days": "abc"},
        {"days": "8"},
        {"days": "-7"},
        {"days": "7" * 50},
        {"end": "yesterday"},
        {"end": "2026-02-31"},
        {"end": "9999-01-01"},
        {"end": "1900-01-01"},
        {"days": "\x00", "end": "\x00"},
        {"days": ["7", "30"]},
    ],
)
def test_junk_periods_fall_back_to_the_default(client, superuser, params):
    client.force_login(superuser)
    response = client.get(URL, params)
    assert response.status_code == 200
    period = response.context["period"]
    assert period.days in (DEFAULT_PERIOD, 30, 7)
    assert period.end <= timezone.localdate()
    if "days" in params and not isinstance(params["days"], list):
        assert period.days == DEFAULT_PERIOD
    if "end" in params:
        assert period.end == timezone.localdate()
    assert client.get(CSV_URL, params).status_code == 200


def test_a_period_may_end_on_a_past_day():
    period = parse_period({"days": "7", "end": "2026-01-10"})
    assert period == Period(days=7, end=dt.date(2026, 1, 10))
    assert period.start == dt.date(2026, 1, 4)


@pytest.mark.parametrize("publications", [3, 30])
def test_a_fixed_number_of_queries_whatever_the_number_of_publications(
    client, superuser, django_assert_num_queries, publications
):
    topics = [make_topic(), make_topic()]
    for n in range(publications):
        publication = make_publication(topics=topics[: n % 3], language="ru" if n % 2 else "en")
        counts(publication, n % 5, views=n + 1, downloads=n % 3, ratings=n % 2, votes=1)
    poll = make_poll()
    vote_on(poll, 1, "anon:x")
    client.force_login(superuser)
    client.get(URL, {"days": "7"})  # warm the session machinery
    # session, user, the user's admin language, the second factor that verified the session
    # and the account's session fence, then the five of figures.summed
    with django_assert_num_queries(10):
        response = client.get(URL, {"days": "30"})
    assert response.status_code == 200
    # For five minutes the same period comes from the cache.
    with django_assert_num_queries(5):
        assert client.get(URL, {"days": "30"}).status_code == 200


def test_staff_only(client, reader, editor):
    assert client.get(URL)["Location"].startswith(reverse("admin:login"))
    assert client.get(CSV_URL)["Location"].startswith(reverse("admin:login"))
    client.force_login(reader)
    assert client.get(URL).status_code == 302
    client.force_login(editor)
    assert client.get(URL).status_code == 200


def test_the_csv_has_every_publication_day_and_poll_day_with_formulas_neutralised(
    client, superuser, activity
):
    Publication.objects.filter(pk=activity["read"].pk).update(title="=HYPERLINK(1)")
    activity["poll"].__class__.objects.filter(pk=activity["poll"].pk).update(question="+SUM(A1)")
    client.force_login(superuser)
    response = client.get(CSV_URL, {"days": "7"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "kind", "day", "slug", "title", "language", "views", "downloads", "ratings", "votes"
    ]  # fmt: skip
    publications = [row for row in rows[1:] if row[0] == "publication"]
    polls = [row for row in rows[1:] if row[0] == "poll"]
    assert len(publications) == 4  # the one from 100 days ago is outside the period
    today = [row for row in publications if row[1] == str(days_ago(0))]
    assert [row[3:] for row in today] == [["'=HYPERLINK(1)", "en", "40", "4", "0", "0"]]
    assert [(row[1], row[3], row[8]) for row in polls] == [
        (str(days_ago(3)), "'+SUM(A1)", "2"),
        (str(days_ago(0)), "'+SUM(A1)", "1"),
    ]
    assert all(cell[:1] not in ("=", "+", "-", "@") for row in rows for cell in row)


def test_every_csv_cell_is_escaped_the_slug_and_leading_spaces_too(client, superuser, activity):
    Publication.objects.filter(pk=activity["read"].pk).update(slug="-2-cmd", title=" =SUM(1+1)*cmd")
    client.force_login(superuser)
    response = client.get(CSV_URL, {"days": "7"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    today = [row for row in rows[1:] if row[0] == "publication" and row[1] == str(days_ago(0))]
    assert [row[2:4] for row in today] == [["'-2-cmd", "' =SUM(1+1)*cmd"]]
    assert all(not cell.lstrip().startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_admin_header_links_to_figures_and_preferences(client, editor):
    client.force_login(editor)
    html = client.get(reverse("admin:index")).content.decode()
    assert f'href="{URL}"' in html
    assert f'href="{reverse("staff:preferences")}"' in html

"""The publications change list counts its rows only up to a cap: below it the exact count,
above it "more than 1,000", and every page of the matches can still be reached."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dialogue_portal.staff.models import AdminProfile
from publications.admin import CappedPaginator, PublicationAdmin
from publications.models import Publication
from tests.factories import make_publication

pytestmark = pytest.mark.django_db

PUBLICATIONS = "/admin/publications/publication/"


@pytest.fixture
def small_cap(monkeypatch):
    """A cap of 5 and pages of 2, so a few rows go past it."""
    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 5)
    monkeypatch.setattr(PublicationAdmin, "list_per_page", 2)


def reports(n, **fields):
    """``n`` reports on arms control, the newest first in the order made."""
    return [
        make_publication(title=f"Arms control report {i:02}", days_ago=i + 1, **fields)
        for i in range(n)
    ]


def page(client, **params):
    response = client.get(PUBLICATIONS, params)
    assert response.status_code == 200
    return response.content.decode()


def titles(html):
    """The reports listed, in their order (a row names its report more than once)."""
    return list(dict.fromkeys(re.findall(r"Arms control report \d\d", html)))


def page_links(html):
    """The page numbers the paginator offers, the current one included."""
    links = re.search(r'<nav class="paginator".*?</nav>', html, re.S).group(0)
    return {int(n) for n in re.findall(r">(\d+)</a>", links)}


def counter(html):
    """The count beside the page links, as the editor reads it."""
    text = re.search(r'<nav class="paginator".*?</nav>', html, re.S).group(0)
    text = re.sub(r'<h2.*?</h2>|<ul>.*?</ul>|<a [^>]*class="showall".*?</a>', " ", text, flags=re.S)
    return re.sub(r"[ \n]+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


@pytest.mark.parametrize("n", [4, 5])
def test_up_to_the_cap_the_count_is_exact(admin_client, small_cap, n):
    reports(n)
    html = page(admin_client, q="arms control")
    assert f"{n} results" in html and "more than" not in html
    assert counter(html) == f"{n} publications"
    assert page_links(html) == set(range(1, (n + 1) // 2 + 1))


def test_past_the_cap_the_list_says_more_than_and_every_page_is_reached(admin_client, small_cap):
    made = [p.title for p in reports(12)]
    make_publication(title="Cyber norms")  # not a match
    html = page(admin_client, q="arms control")
    assert "more than 5 results" in html and "12 results" not in html
    assert counter(html) == "more than 5 publications"
    assert titles(html) == made[:2]
    # Counted to 6: pages 1 to 3 are known; each further page shows those past it.
    assert max(page_links(html)) == 3
    html = page(admin_client, q="arms control", p=3)
    assert titles(html) == made[4:6]
    assert max(page_links(html)) == 5 and counter(html) == "more than 5 publications"
    html = page(admin_client, q="arms control", p=5)
    assert titles(html) == made[8:10]
    # Counted to 14 from page 5: all 12 are counted, so the count is exact again.
    assert "12 results" in html and counter(html) == "12 publications"
    assert max(page_links(html)) == 6
    assert titles(page(admin_client, q="arms control", p=6)) == made[10:]
    seen = [t for p in range(1, 7) for t in titles(page(admin_client, q="arms control", p=p))]
    assert seen == made


def test_more_than_the_cap_in_russian(admin_client, admin_user, small_cap):
    AdminProfile.objects.update_or_create(user=admin_user, defaults={"admin_language": "ru"})
    reports(7)
    html = page(admin_client, q="arms control")
    assert "более 5 результатов" in html and "more than" not in html
    assert counter(html) == "более 5 публикаций"
    assert "Выбрать все (более 5 публикаций)" in html


@pytest.mark.slow
def test_a_thousand_and_one_publications_are_more_than_1000_in_both_languages(
    admin_client, admin_user
):
    start = timezone.now() - timedelta(days=2000)
    Publication.objects.bulk_create(
        Publication(
            title=f"Report {i}",
            slug=f"report-{i}",
            status=Publication.Status.PUBLISHED,
            published_at=start + timedelta(days=i),
        )
        for i in range(1001)
    )
    html = page(admin_client)
    assert counter(html) == "more than 1,000 publications"
    assert "Select all of more than 1,000 publications" in html
    AdminProfile.objects.update_or_create(user=admin_user, defaults={"admin_language": "ru"})
    assert counter(page(admin_client)) == "более 1\xa0000 публикаций"
    Publication.objects.filter(slug="report-0").delete()
    AdminProfile.objects.filter(user=admin_user).update(admin_language="en")
    assert counter(page(admin_client)) == "1000 publications"


def test_an_action_on_all_selected_past_the_cap_takes_every_match(admin_client, small_cap):
    drafts = reports(9, status=Publication.Status.DRAFT, published_at=None)
    make_publication(title="Cyber norms", status=Publication.Status.DRAFT, published_at=None)
    html = page(admin_client, q="arms control")
    assert "Select all of more than 5 publications" in html
    response = admin_client.post(
        f"{PUBLICATIONS}?q=arms+control",
        {
            "action": "publish",
            "select_across": "1",
            "index": "0",
            "_selected_action": [str(drafts[0].pk)],
        },
    )
    assert response.status_code == 302
    published = Publication.objects.filter(status=Publication.Status.PUBLISHED)
    assert set(published.values_list("pk", flat=True)) == {p.pk for p in drafts}


@pytest.mark.parametrize("p", ["abc", "0", "-3", "10", "1" + "0" * 30, "9" * 5000])
def test_a_page_that_is_no_page_is_no_error(admin_client, small_cap, p):
    reports(3)
    response = admin_client.get(PUBLICATIONS, {"q": "arms control", "p": p})
    assert response.status_code in (200, 302)

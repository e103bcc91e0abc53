import datetime as dt
import json
import re
from html import unescape
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from publications.demo_files import banner_png
from publications.models import Authorship, Publication
from tests.factories import (
    make_attachment,
    make_institution,
    make_person,
    make_project,
    make_publication,
    make_region,
    make_topic,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    rusi = make_institution(name="Royal United Services Institute", short_name="RUSI", slug="rusi")
    riac = make_institution(
        name="Russian International Affairs Council", short_name="RIAC", slug="riac"
    )
    ferris = make_person(
        given_name="Emily",
        family_name="Ferris",
        institution=rusi,
        short_bio="Works on Russia and Eurasia.",
    )
    kortunov = make_person(
        given_name="Andrey", family_name="Kortunov", institution=riac, honorific="Ph.D. in History"
    )
    project = make_project(name="UK–Russia Security Dialogue")
    publication = make_publication(
        title="Talking To, Not Past Each Other",
        kind="report",
        published_at=dt.datetime(2019, 7, 8, 9, tzinfo=dt.UTC),
        summary="Four workshops found room for agreement.",
        body="<p>The <strong>body</strong> text.</p>",
        banner_caption="A bomber escorted north of Scotland.",
        banner_credit="Courtesy of the Royal Air Force",
        banner_alt="Two aircraft",
        project=project,
        project_part=3,
        topics=[make_topic(name="Arms Control", slug="arms-control")],
        regions=[make_region(name="Russia", slug="russia")],
        rating_count=11,
        rating_sum=55,
    )
    publication.banner_image.save("b.png", ContentFile(banner_png(size=(80, 40))))
    Authorship.objects.create(
        publication=publication, person=ferris, order=1, byline_position="Research Fellow at RUSI"
    )
    Authorship.objects.create(publication=publication, person=kortunov, order=2, institution=riac)
    make_attachment(publication, title="Full report (PDF)")
    return publication


def page(client, publication):
    response = client.get(publication.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_shows_everything_the_seed_page_shows(client, report):
    html = page(client, report)
    for text in [
        'aria-label="You are here"',
        "Talking To, Not Past Each Other",
        "Report",
        "8 July 2019",
        "Emily Ferris",
        "Research Fellow at RUSI",
        "Andrey Kortunov",
        "Ph.D. in History",
        "RIAC",
        "Four workshops found room for agreement.",
        "<strong>body</strong>",
        "A bomber escorted north of Scotland.",
        "Courtesy of the Royal Air Force",
        "Full report (PDF)",
        "About the authors",
        "Works on Russia and Eurasia.",
        "votes: 11, rating: 5",
        "Share this publication",
        "data-print",
        "How to cite",
        'href="/publications/?topic=arms-control"',
        'href="/publications/?region=russia"',
        "UK–Russia Security Dialogue",
        "Part 3",
    ]:
        assert text in html, text


def test_authors_in_byline_order_with_institutions(client, report):
    html = page(client, report)
    assert html.index("Emily Ferris") < html.index("Andrey Kortunov")
    # Ferris has no institution on the authorship: her current affiliation stands in.
    assert 'href="/institutions/rusi/"' in html


def test_highwire_tags_in_byline_order(client, report):
    html = page(client, report)
    tags = re.findall(r'<meta name="(citation_[a-z_]+)" content="([^"]*)">', html)
    authors = [
        (n, unescape(v)) for n, v in tags if n in ("citation_author", "citation_author_institution")
    ]
    assert authors == [
        ("citation_author", "Ferris, Emily"),
        ("citation_author_institution", "Royal United Services Institute"),
        ("citation_author", "Kortunov, Andrey"),
        ("citation_author_institution", "Russian International Affairs Council"),
    ]
    names = {n for n, _v in tags}
    assert {
        "citation_title",
        "citation_publication_date",
        "citation_language",
        "citation_keywords",
        "citation_pdf_url",
        "citation_abstract_html_url",
    } <= names
    assert ("citation_publication_date", "2019/07/08") in tags
    assert '<meta name="DC.creator" content="Ferris, Emily">' in html
    assert '<meta name="DC.language" content="en">' in html


def test_json_ld_describes_the_publication_and_breadcrumb(client, report):
    html = page(client, report)
    raw = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    article, breadcrumb = json.loads(raw.group(1))
    assert article["@type"] == "Report"
    assert [a["name"] for a in article["author"]] == ["Emily Ferris", "Andrey Kortunov"]
    assert article["author"][1]["affiliation"]["name"] == "Russian International Affairs Council"
    assert article["datePublished"].startswith("2019-07-08")
    assert breadcrumb["@type"] == "BreadcrumbList"
    assert len(breadcrumb["itemListElement"]) == 3


def test_open_graph_and_twitter_card_with_banner(client, report):
    html = page(client, report)
    assert '<meta property="og:title" content="Talking To, Not Past Each Other">' in html
    assert '<meta property="og:image" content="' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_share_links_for_every_network(client, report):
    html = unescape(page(client, report))
    url = quote(f"{settings.SITE_URL}/publications/{report.slug}", safe="")
    for prefix in [
        "https://x.com/intent/post?url=",
        "https://www.facebook.com/sharer/sharer.php?u=",
        "https://www.linkedin.com/sharing/share-offsite/?url=",
        "https://t.me/share/url?url=",
        "https://vk.com/share.php?url=",
    ]:
        assert prefix + url in html, prefix
    assert "https://bsky.app/intent/compose?text=" in html
    assert "mailto:?subject=" in html
    assert "data-copy-url" in html and "data-web-share" in html


def test_formatted_citation(client, report):
    html = unescape(page(client, report))
    assert (
        "Ferris, Emily and Andrey Kortunov. “Talking To, Not Past Each Other.” Report. "
        f"RUSI, RIAC, 8 July 2019. {settings.SITE_URL}/publications/"
    ) in html


def test_bibtex_download(client, report):
    response = client.get(f"/publications/{report.slug}/cite.bib")
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("@techreport{Ferris2019")
    assert "author = {Ferris, Emily and Kortunov, Andrey}" in text
    assert "year = {2019}" in text and "month = jul" in text


def test_ris_download(client, report):
    response = client.get(f"/publications/{report.slug}/cite.ris")
    text = response.content.decode()
    lines = text.split("\r\n")
    assert lines[0] == "TY  - RPRT"
    assert lines[1:3] == ["AU  - Ferris, Emily", "AU  - Kortunov, Andrey"]
    assert "PY  - 2019" in lines and "KW  - Arms Control" in lines
    assert lines[-2] == "ER  -"


def test_cite_of_a_draft_is_404(client):
    draft = make_publication(status=Publication.Status.DRAFT, published_at=None)
    assert client.get(f"/publications/{draft.slug}/cite.bib").status_code == 404
    assert client.get(f"/publications/{draft.slug}/cite.ris").status_code == 404


def test_attachment_download_serves_the_pdf(client, report):
    attachment = report.attachments.get()
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_related_same_project_first_then_shared_topics(client, report):
    shared = make_publication(title="Shares a topic", topics=list(report.topics.all()), days_ago=0)
    sibling = make_publication(
        title="Same project", project=report.project, project_part=2, days_ago=400
    )
    make_publication(title="Unrelated")
    html = page(client, report)
    related = html[html.index("Related publications") :]
    assert related.index(sibling.title) < related.index(shared.title)
    assert "Unrelated" not in related


def test_series_navigation_lists_the_parts_in_order(client, report):
    part2 = make_publication(title="Part two", project=report.project, project_part=2, days_ago=500)
    make_publication(title="Part one", project=report.project, project_part=1, days_ago=900)
    html = page(client, report)
    series = html[html.index('class="series"') :]
    assert series.index("Part one") < series.index("Part two") < series.index("Talking To")
    assert f'href="{part2.get_absolute_url()}"' in series


def test_other_language_versions_are_linked(client, report):
    russian = make_publication(title="По-русски", language="ru", translation_of=report)
    html = page(client, report)
    assert "Also available in:" in html and russian.get_absolute_url() in html
    back = page(client, russian)
    assert report.get_absolute_url() in back


def test_draft_and_scheduled_are_404_for_the_public(client):
    draft = make_publication(status=Publication.Status.DRAFT, published_at=None)
    review = make_publication(status=Publication.Status.REVIEW, published_at=None)
    scheduled = make_publication(days_ago=-1)
    for publication in (draft, review, scheduled):
        assert client.get(publication.get_absolute_url()).status_code == 404


def test_print_stylesheet_is_linked_for_print_media(client, report):
    html = page(client, report)
    assert 'media="print"' in html and "print.css" in html
    assert 'class="print-only' in html


def test_an_institution_shared_by_two_authors_is_named_once(client):
    rusi = make_institution(name="Royal United Services Institute", short_name="RUSI")
    first, second = make_person(institution=rusi), make_person(institution=rusi)
    publication = make_publication(authors=[first, second])
    html = unescape(page(client, publication))
    assert "RUSI, RUSI" not in html
    assert html.count('<meta name="DC.publisher"') == 1


def test_related_without_a_project_are_the_newest_sharing_a_topic(client):
    topic = make_topic(slug="cyber")
    subject = make_publication(title="Subject", topics=[topic], days_ago=3)
    make_publication(title="Translation", language="ru", translation_of=subject, topics=[topic])
    sharing = [
        make_publication(title=f"Sharer {n}", topics=[topic], days_ago=10 + n) for n in range(6)
    ]
    make_publication(title="Draft sharer", topics=[topic], status="draft")
    html = page(client, subject)
    related = html[html.index("Related publications") :]
    shown = [p.title for p in sharing if p.title in related]
    assert shown == ["Sharer 0", "Sharer 1", "Sharer 2", "Sharer 3"]
    assert "Translation" not in related and "Draft sharer" not in related
    assert "Subject" not in related


def test_related_work_follows_an_editorial_change_at_once(client):
    from dialogue_portal.core.pagecache import bump_content_version

    topic = make_topic(slug="cyber")
    subject = make_publication(title="Subject", topics=[topic], days_ago=3)
    assert "Related publications" not in page(client, subject)
    make_publication(title="Newcomer", topics=[topic])
    assert "Newcomer" not in page(client, subject)  # kept while the content is unchanged
    bump_content_version()  # what every save in the admin does
    assert "Newcomer" in page(client, subject)

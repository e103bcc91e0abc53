"""The demo looks lived in (issue 15, point 1) and loads idempotently, keeping editors'
changes. One test loads it with its real files (PDFs, portraits, banners); the others
draw nothing, to stay quick."""

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from pypdf import PdfReader

from dialogue_portal.demo import files, loader
from dialogue_portal.demo.management.commands import load_demo
from dialogue_portal.pages.models import Page
from people.models import Institution, Person
from polls.models import Poll
from publications.models import Attachment, Publication
from publications.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

DEMO_APPS = {"people", "publications", "polls", "pages", "auth"}
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        # Managed tables only: SQLite's search index (SearchText) has no table on PostgreSQL.
        if model._meta.app_label in DEMO_APPS and model._meta.managed
    }


def run():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def quick_files(monkeypatch):
    """The demo without drawing: a tiny PDF, no banners; everything else as it is."""
    monkeypatch.setattr(loader, "report_pdf", lambda **kwargs: TINY_PDF)
    monkeypatch.setattr(loader.CoreLoader, "add_banner", lambda self, publication, entry: None)


# Dated demo content and work scheduled twelve days ahead: the date matters. What is public
# is the same with the drawn files or without: the files are drawn (slowly) in the test below,
# once, and not under every clock of tests/clock.py.
@pytest.mark.slow
@pytest.mark.clock
def test_the_demo_looks_lived_in(client, quick_files):
    output = run()
    assert "Demo content: " in output and "0 skipped" in output

    public = Publication.objects.published()
    # One more is scheduled, and the editors' desk adds a briefing waiting for review.
    assert Publication.objects.count() == 45
    assert public.count() == 43
    assert public.count() > 2 * PAGE_SIZE  # the list runs to three pages
    # Every kind, every year from 2016 to 2026.
    assert set(public.values_list("kind", flat=True)) == set(Publication.Kind.values)
    years = {date.year for date in public.values_list("published_at", flat=True)}
    assert set(range(2016, 2027)) <= years
    # Four projects, each with three or more numbered parts.
    parts = (
        public.filter(language="en", project_part__isnull=False)
        .values("project")
        .annotate(n=Count("pk"))
    )
    assert sorted(row["n"] for row in parts) == [3, 3, 3, 4]
    # Russian versions with Russian text, linked to their originals.
    russian = public.filter(language="ru", translation_of__isnull=False)
    assert russian.count() == 7
    for version in russian:
        assert re.search("[а-яё]{4}", version.title + version.summary + version.body)
        assert version.translation_of.language == "en"
    # People with drawn portraits, positions and bios, at five institutions.
    people = Person.objects.all()
    assert people.count() == 13
    assert all(p.photo and p.position and p.short_bio and p.short_bio_ru for p in people)
    assert Institution.objects.filter(affiliations__isnull=False).distinct().count() == 5
    # Facets offer several choices each.
    assert public.values("topics").distinct().count() >= 6
    assert public.values("regions").distinct().count() >= 6
    assert public.values("programme").exclude(programme=None).distinct().count() == 4
    assert public.values("audiences").distinct().count() == 3
    assert public.values("authorships__person").distinct().count() == 13

    # Three polls: open and featured, closed with results, scheduled.
    now = timezone.now()
    featured = Poll.objects.featured(Poll.Placement.HOME)
    assert featured.slug == "where-can-experts-still-talk" and featured.total_votes == 100
    closed = Poll.objects.get(slug="us-long-term-goals-for-russia")
    assert closed.is_closed and closed.results_public
    assert [c.vote_count for c in closed.choices.all()] == [33, 30, 24, 21]
    assert Poll.objects.get(slug="arctic-council-after-2027").opens_at > now

    # Stored counts agree with their rows; top rated and most read tell works apart.
    call_command("check_counts", stdout=io.StringIO())
    assert public.exclude(rating_count=0).count() >= 40
    assert public.values("view_count").distinct().count() >= 40
    top = list(public.filter(rating_count__gte=5).order_by("-rating_sum")[:5])
    assert len({p.rating_sum / p.rating_count for p in top}) >= 3

    # The pages it adds, in both languages.
    assert Page.objects.published().count() == 12
    assert client.get("/support/").status_code == 200
    assert "Поддержите наши исследования" in client.get("/ru/support/").content.decode()

    # And the list paginates.
    page = client.get("/publications/").content.decode()
    assert "?page=2" in page


@pytest.mark.slow
def test_the_demo_has_real_files():
    output = run()
    assert "Demo content: " in output and "0 skipped" in output

    # Attachments are real multi-page PDFs made from the text, sized like reports.
    for attachment in Attachment.objects.select_related("publication"):
        assert 200_000 < attachment.size_bytes < 1_300_000, attachment.title
    report = Attachment.objects.get(
        publication__slug="uk-russia-security-relations-talking-to-not-past-each-other"
    )
    assert report.size_bytes > 1_048_576  # the seed's "1 Mb"
    pdf = PdfReader(report.file.open("rb"))
    assert len(pdf.pages) >= 6
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Talking To, Not Past Each Other" in text
    assert "Intermediate-Range Nuclear Forces" in text
    russian_pdf = Attachment.objects.get(publication__slug="after-new-start-ru")
    if files._font_path():  # without a Unicode font the text is transliterated
        assert "договора" in PdfReader(russian_pdf.file.open("rb")).pages[0].extract_text()
    else:
        assert "dogovora" in PdfReader(russian_pdf.file.open("rb")).pages[0].extract_text()


@pytest.mark.slow
def test_a_second_run_creates_nothing(quick_files):
    run()
    first = row_counts()
    output = run()
    assert row_counts() == first
    assert "Demo content: 0 created" in output
    assert "Demo pages: 0 created" in output
    assert "skipped" not in output.replace("0 skipped", "")


@pytest.mark.slow
def test_a_second_run_keeps_what_editors_changed_and_says_so(quick_files):
    run()
    first = row_counts()
    Publication.objects.filter(slug="after-new-start").update(title="Arms Control, Retitled")
    Person.objects.filter(slug="claire-dubois").update(short_bio="Edited by an editor.")
    Page.objects.filter(slug="about", language="ru").update(body="<p>Новый текст.</p>")

    output = run()

    assert row_counts() == first
    assert Publication.objects.get(slug="after-new-start").title == "Arms Control, Retitled"
    assert Person.objects.get(slug="claire-dubois").short_bio == "Edited by an editor."
    assert Page.objects.get(slug="about", language="ru").body == "<p>Новый текст.</p>"
    assert "skipped publication “after-new-start”: changed since the demo loaded it (title)" in (
        output
    )
    assert "skipped person “claire-dubois”" in output and "(short_bio)" in output
    assert "skipped page “about (ru)”" in output and "(body)" in output


@pytest.mark.slow
def test_a_deleted_demo_row_comes_back_without_touching_the_rest(quick_files):
    run()
    first = row_counts()
    Publication.objects.get(slug="cheap-drones-armed-groups").delete()
    output = run()
    assert row_counts() == first
    assert "Demo content: 1 created" in output


@pytest.mark.slow
def test_the_seed_publications_are_kept_exactly(client, quick_files):
    run()
    report = Publication.objects.get(
        slug="uk-russia-security-relations-talking-to-not-past-each-other"
    )
    assert report.title == "UK–Russia Security Relations: Talking To, Not Past Each Other"
    assert report.kind == "report" and report.published_at.date().isoformat() == "2019-07-08"
    assert (report.rating_count, report.rating_average) == (11, 5.0)
    assert [a.person.family_name for a in report.authors] == ["Ferris", "Kortunov"]
    assert report.authors[1].person.honorific == "Ph.D. in History"

    conference = Publication.objects.get(slug="defining-dialogue-part-2")
    assert conference.get_kind_display() == "Conference report"
    assert conference.published_at.date().isoformat() == "2018-03-27"
    assert [a.person.family_name for a in conference.authors] == [
        "Chalmers",
        "Kortunov",
        "Lain",
        "Smekalova",
    ]
    assert conference.banner_credit == "Courtesy of the Royal Air Force"
    assert conference.translations.get().language == "ru"
    assert conference.project.slug == "uk-russia-security-dialogue"
    parts = Publication.objects.filter(project=conference.project, language="en")
    assert sorted(parts.values_list("project_part", flat=True)) == [1, 2, 3]

    page = client.get(report.get_absolute_url()).content.decode()
    assert "votes: 11, rating: 5" in page


def test_the_command_runs_every_apps_loader_after_the_core():
    assert load_demo.LOADERS[0] is loader.load
    assert all(callable(load) for load in load_demo.LOADERS)

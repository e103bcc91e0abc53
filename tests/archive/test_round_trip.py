"""export → import into an empty database → export gives the same bytes, and importing
the same archive again changes nothing."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from dialogue_portal.archive.exporter import export_archive
from dialogue_portal.archive.importer import import_archive
from dialogue_portal.archive.source import open_source
from publications.models import Publication
from tests.archive.conftest import empty_the_database
from tests.factories import make_publication

pytestmark = pytest.mark.django_db


def tree(root):
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(Path(root).rglob("*"))
        if path.is_file()
    }


def run_import(path, **options):
    source = open_source(path)
    try:
        return import_archive(source, **options)
    finally:
        source.close()


def test_folder_round_trip_is_byte_identical(small_archive, tmp_path):
    export_archive(tmp_path / "first")
    empty_the_database()
    report = run_import(tmp_path / "first")
    assert report.counts == {"created": 3, "updated": 0, "unchanged": 0, "refused": 0}, (
        report.lines()
    )
    export_archive(tmp_path / "second")
    first, second = tree(tmp_path / "first"), tree(tmp_path / "second")
    assert first.keys() == second.keys()
    assert first == second
    again = run_import(tmp_path / "first")
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "refused": 0}, again.lines()


def test_zip_round_trip_is_byte_identical(small_archive, tmp_path):
    export_archive(tmp_path / "first.zip")
    empty_the_database()
    assert run_import(tmp_path / "first.zip").count("created") == 3
    export_archive(tmp_path / "second.zip")
    assert (tmp_path / "first.zip").read_bytes() == (tmp_path / "second.zip").read_bytes()


def test_what_the_import_brings_back(small_archive, tmp_path):
    export_archive(tmp_path / "a")
    empty_the_database()
    run_import(tmp_path / "a")
    publication = Publication.objects.get(slug="part-one")
    assert [a.person.slug for a in publication.authorships.order_by("order")] == [
        "andrey-kortunov",
        "emily-ferris",
    ]
    second = publication.authorships.get(person__slug="emily-ferris")
    assert second.byline_position == "Fellow" and second.institution.slug == "rusi"
    assert publication.project.slug == "dialogue" and publication.project_part == 1
    assert sorted(i.slug for i in publication.project.institutions.all()) == ["riac", "rusi"]
    assert publication.programme.institution.slug == "rusi"
    assert [t.slug for t in publication.topics.all()] == ["arms-control"]
    assert [a.title for a in publication.attachments.order_by("order")] == [
        "Full report",
        "Summary",
    ]
    assert publication.attachments.first().size_bytes > 100
    assert publication.banner_width == 40 and publication.banner_credit == "RAF"
    assert Publication.objects.get(slug="part-one-ru").translation_of == publication
    assert Publication.objects.get(slug="draft").status == "draft"
    person = publication.authorships.get(person__slug="andrey-kortunov").person
    assert person.family_name_ru == "Кортунов"
    assert person.affiliations.get().institution.slug == "riac"


def test_commands_round_trip(small_archive, tmp_path):
    out = io.StringIO()
    call_command("export_archive", str(tmp_path / "a.zip"), stdout=out)
    assert "3 publications exported" in out.getvalue()
    empty_the_database()
    out = io.StringIO()
    call_command(
        "import_archive", str(tmp_path / "a.zip"), "--dry-run", stdout=out, stderr=io.StringIO()
    )
    assert "record 1 [draft]: created" in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert Publication.objects.count() == 0
    call_command(
        "import_archive", str(tmp_path / "a.zip"), stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert Publication.objects.count() == 3


def test_export_neutralises_formulas_in_the_spreadsheet(tmp_path):
    make_publication(slug="formula", title='=HYPERLINK("http://evil")', summary="-1")
    export_archive(tmp_path / "a")
    rows = (tmp_path / "a" / "publications.csv").read_text().splitlines()
    assert rows[1].startswith("formula,formula,report,en,published,")
    assert '"\'=HYPERLINK(""http://evil"")"' in rows[1]
    # The manifest keeps the text as it is: import reads JSON, where it is no formula.
    manifest = (tmp_path / "a" / "manifest.json").read_text()
    assert '"title": "=HYPERLINK(\\"http://evil\\")"' in manifest


@pytest.mark.slow
def test_a_thousand_generated_publications_round_trip(tmp_path):
    call_command("generate_content", publications=1000, stdout=io.StringIO())
    export_archive(tmp_path / "first.zip")
    empty_the_database()
    report = run_import(tmp_path / "first.zip")
    assert report.counts == {"created": 1000, "updated": 0, "unchanged": 0, "refused": 0}, (
        report.lines()[:5]
    )
    export_archive(tmp_path / "second.zip")
    assert (tmp_path / "first.zip").read_bytes() == (tmp_path / "second.zip").read_bytes()


@pytest.mark.slow
def test_the_demo_archive_round_trips(tmp_path):
    """The demo as it loads, with its real files (fpdf2 PDFs, banners, portraits): pages,
    the Russian-only publication, scheduled work, projects with parts, language versions.
    One load serves both forms of the archive, to keep the test quick."""
    call_command("load_demo", stdout=io.StringIO())
    total = Publication.objects.count()
    export_archive(tmp_path / "first")
    export_archive(tmp_path / "first.zip")
    empty_the_database()
    report = run_import(tmp_path / "first.zip")
    assert report.counts == {"created": total, "updated": 0, "unchanged": 0, "refused": 0}, (
        report.lines()
    )
    export_archive(tmp_path / "second")
    export_archive(tmp_path / "second.zip")
    first, second = tree(tmp_path / "first"), tree(tmp_path / "second")
    assert first.keys() == second.keys()
    assert first == second
    assert (tmp_path / "first.zip").read_bytes() == (tmp_path / "second.zip").read_bytes()
    again = run_import(tmp_path / "first")
    assert again.counts == {"created": 0, "updated": 0, "unchanged": total, "refused": 0}, (
        again.lines()
    )

"""Redirects travel in the archive: export → import into an empty database → export gives
the same bytes, redirects included; and an import that changes a slug leaves a redirect."""

import json

import pytest
from django.test import Client

from dialogue_portal.archive.exporter import export_archive
from dialogue_portal.archive.importer import import_archive
from dialogue_portal.archive.source import open_source
from dialogue_portal.redirects.models import Redirect
from publications.models import Publication
from tests.archive.conftest import empty_the_database, small_archive  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def run_import(path, **options):
    source = open_source(path)
    try:
        return import_archive(source, **options)
    finally:
        source.close()


def test_round_trip_with_redirects(small_archive, tmp_path):  # noqa: F811
    Redirect.objects.create(
        old_path="/publications/first-draft", target="/publications/part-one/",
        include_below=True, source=Redirect.Source.SLUG,
    )  # fmt: skip
    Redirect.objects.create(old_path="/index.php?id=3", target="https://example.org/", status=302)
    Redirect.objects.create(old_path="/withdrawn", status=410, source=Redirect.Source.DELETED)
    export_archive(tmp_path / "first")
    manifest = json.loads((tmp_path / "first" / "manifest.json").read_text())
    assert [r["old_path"] for r in manifest["redirects"]] == [
        "/index.php?id=3",
        "/publications/first-draft",
        "/withdrawn",
    ]
    empty_the_database()
    Redirect.objects.all().delete()
    report = run_import(tmp_path / "first")
    assert report.counts["created"] == 3
    assert report.redirects == {"created": 3, "updated": 0, "unchanged": 0, "refused": 0}
    export_archive(tmp_path / "second")
    assert (tmp_path / "first" / "manifest.json").read_bytes() == (
        tmp_path / "second" / "manifest.json"
    ).read_bytes()
    again = run_import(tmp_path / "first")
    assert again.redirects["unchanged"] == 3
    assert Client().get("/publications/first-draft/cite.bib")["Location"] == (
        "/publications/part-one/cite.bib"
    )


def test_bad_redirects_in_an_archive_are_refused_and_named(small_archive, tmp_path):  # noqa: F811
    export_archive(tmp_path / "a")
    path = tmp_path / "a" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["redirects"] = [
        {"old_path": "/fine", "target": "/publications/part-one/", "status": 301},
        {"old_path": "/loop", "target": "/loop/", "status": 301},
        "not an object",
    ]
    path.write_text(json.dumps(manifest))
    report = run_import(tmp_path / "a", dry_run=True)
    assert report.redirects == {"created": 1, "updated": 0, "unchanged": 0, "refused": 2}
    assert any("redirect 2" in line and "loop" in line for line in report.redirect_lines())
    assert not Redirect.objects.exists()


def test_an_import_that_changes_a_slug_leaves_a_redirect(small_archive, tmp_path):  # noqa: F811
    export_archive(tmp_path / "a")
    path = tmp_path / "a" / "manifest.json"
    manifest = json.loads(path.read_text())
    record = next(r for r in manifest["publications"] if r["slug"] == "draft")
    record["slug"] = "draft-renamed"
    path.write_text(json.dumps(manifest))
    report = run_import(tmp_path / "a")
    assert report.counts["refused"] == 0, report.lines()
    assert Publication.objects.filter(slug="draft-renamed").exists()
    assert Redirect.objects.get(old_path="/publications/draft").target == (
        "/publications/draft-renamed/"
    )

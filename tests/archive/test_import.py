"""Import from each way in (JSON, CSV, RIS, BibTeX), and every kind of bad input refused
with a message that names the record, nothing half-written, nothing outside MEDIA_ROOT."""

import io
import json
import os
import re
import stat
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from PIL import Image

from dialogue_portal.archive.importer import import_archive
from dialogue_portal.archive.source import ArchiveRefused, open_source
from people.models import Person
from publications.demo_files import banner_png, simple_pdf
from publications.models import Publication, Topic

pytestmark = pytest.mark.django_db

PDF = simple_pdf("Report", ["text"])
PNG = banner_png(size=(30, 20))


def record(**fields):
    base = {
        "id": "r1",
        "slug": "first",
        "title": "First",
        "summary": "A summary.",
        "published_at": "2020-05-01",
        "authors": [{"person": "ann-lee"}],
        "attachments": [{"file": "files/a.pdf", "title": "Full text"}],
    }
    return base | fields


def manifest(*records, **registries):
    return {
        "format": "dialogue-portal-archive",
        "version": 1,
        "people": [{"slug": "ann-lee", "given_name": "Ann", "family_name": "Lee"}],
        **registries,
        "publications": list(records),
    }


def write_folder(root, content, files=None, name="manifest.json"):
    root.mkdir(parents=True, exist_ok=True)
    data = content if isinstance(content, bytes) else json.dumps(content).encode()
    (root / name).write_bytes(data)
    for path, data in (files or {"files/a.pdf": PDF}).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return root


def run(path, dry_run=False):
    source = open_source(path)
    try:
        return import_archive(source, dry_run=dry_run)
    finally:
        source.close()


def media_files():
    root = django_settings.MEDIA_ROOT
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
    )


def test_a_json_record_imports_with_its_author_and_file(tmp_path):
    report = run(write_folder(tmp_path / "a", manifest(record())))
    assert report.lines() == ["record 1 [r1]: created"]
    publication = Publication.objects.get(external_id="r1")
    assert publication.authorships.get().person.family_name == "Lee"
    assert publication.attachments.get().size_bytes == len(PDF)
    assert len(media_files()) == 1


def test_dry_run_reports_and_writes_nothing(tmp_path):
    folder = write_folder(
        tmp_path / "a", manifest(record(), record(id="r2", slug="x", published_at="2020-02-30"))
    )
    report = run(folder, dry_run=True)
    assert report.lines() == [
        "record 1 [r1]: created",
        "record 2 [r2]: refused — published_at: “2020-02-30” is not a date",
    ]
    assert "Dry run" in report.summary()
    assert Publication.objects.count() == 0 and Person.objects.count() == 0
    assert media_files() == []


def test_second_import_changes_nothing_and_an_edit_updates(tmp_path):
    folder = write_folder(tmp_path / "a", manifest(record()))
    run(folder)
    stored = media_files()
    assert run(folder).lines() == ["record 1 [r1]: unchanged"]
    assert media_files() == stored
    write_folder(folder, manifest(record(title="First, revised")))
    assert run(folder).lines() == ["record 1 [r1]: updated"]
    assert Publication.objects.get(external_id="r1").title == "First, revised"
    assert media_files() == stored  # the file did not change, so it was kept


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"published_at": "yesterday"}, "published_at: “yesterday” is not a date"),
        ({"published_at": "2021-13-01"}, "published_at: “2021-13-01” is not a date"),
        ({"colour": "red"}, "unknown fields: colour"),
        ({"kind": "poem"}, "kind: “poem” is not a kind of publication"),
        (
            {"authors": [{"person": "nobody"}]},
            "people “nobody” is neither in the archive nor on the site",
        ),
        (
            {"attachments": [{"file": "files/missing.pdf"}]},
            "attachment 1: “files/missing.pdf” is not in the archive",
        ),
        (
            {"attachments": [{"file": "files/fake.pdf"}]},
            "attachment 1: “files/fake.pdf”: The file is not a PDF document.",
        ),
        (
            {"banner": {"file": "files/a.pdf"}},
            "banner: “files/a.pdf”: The file is not a valid image.",
        ),
        ({"project_part": 2}, "project_part: a part number needs a project"),
        ({"translation_of": "elsewhere"}, "translation_of: no publication “elsewhere”"),
        ({"slug": "Not a slug!"}, "slug: “Not a slug!” is not a slug"),
    ],
)
def test_bad_records_are_refused_by_name_and_the_rest_imported(tmp_path, fields, reason):
    good = record(id="ok", slug="ok")
    folder = write_folder(
        tmp_path / "a",
        manifest(good, record(**fields)),
        {"files/a.pdf": PDF, "files/fake.pdf": b"%PDX not a pdf"},
    )
    report = run(folder)
    assert report.lines()[0] == "record 1 [ok]: created"
    assert report.lines()[1].startswith("record 2 [r1]: refused — ")
    assert reason in report.lines()[1]
    assert list(Publication.objects.values_list("slug", flat=True)) == ["ok"]
    assert len(media_files()) == 1


def test_oversized_files_are_refused(tmp_path, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    report = run(write_folder(tmp_path / "a", manifest(record())))
    assert report.lines() == [
        "record 1 [r1]: refused — "
        "attachment 1: “files/a.pdf” is larger than the limit of 100\xa0bytes"
    ]


def test_duplicate_slugs_and_ids(tmp_path):
    Publication.objects.create(slug="taken", title="Editor's", summary="s")
    folder = write_folder(
        tmp_path / "a",
        manifest(
            record(), record(id="r2"), record(id="r1", slug="other"), record(id="r3", slug="taken")
        ),
    )
    lines = run(folder).lines()
    assert lines[0] == "record 1 [r1]: created"
    assert lines[1] == "record 2 [r2]: refused — slug “first” is also used by record 1"
    assert lines[2] == "record 3 [r1]: refused — id “r1” is also used by record 1"
    assert lines[3] == (
        "record 4 [r3]: refused — slug “taken” is already used by another publication on the site"
    )


def test_a_record_failing_after_its_files_are_stored_leaves_nothing(tmp_path):
    folder = write_folder(
        tmp_path / "a",
        manifest(
            record(
                banner={"file": "files/b.png"},
                attachments=[{"file": "files/a.pdf", "title": "x" * 400}],
            )
        ),
        {"files/a.pdf": PDF, "files/b.png": PNG},
    )
    report = run(folder)
    assert report.count("refused") == 1 and "title" in report.lines()[0]
    assert Publication.objects.count() == 0 and Person.objects.count() == 0
    assert media_files() == []


def test_broken_encoding_is_refused_with_the_line(tmp_path):
    content = b'{\n "publications": [\n  {"title": "caf\xe9"}\n ]\n}'
    report = run(write_folder(tmp_path / "a", content))
    assert (
        report.refused_archive
        == "manifest.json, line 3: not UTF-8 text (invalid continuation byte)."
    )
    csv_content = b"id,title,summary,published_at\nr1,Good,S,2020-01-01\nr2,Caf\xe9,S,2020-01-01\n"
    report = run(write_folder(tmp_path / "b", csv_content, name="manifest.csv"))
    assert report.refused_archive.startswith("manifest.csv, line 3: not UTF-8 text")
    assert Publication.objects.count() == 0


def test_csv_unknown_columns_are_refused(tmp_path):
    content = b"id,title,summary,colour\nr1,T,S,red\n"
    report = run(write_folder(tmp_path / "a", content, name="manifest.csv"))
    assert report.refused_archive == "manifest.csv, line 1: unknown columns: colour."


def test_csv_imports_by_names_and_refuses_formulas(tmp_path):
    content = (
        "id,title,summary,published_at,authors,topics,project,project_part,attachments\n"
        "r1,Arctic futures,S,2020-01-01,Emily Ferris | Fellow | RUSI; Andrey Kortunov,"
        "Arms Control; Arctic,UK–Russia Dialogue,2,files/a.pdf | Full text | en\n"
        'r2,=HYPERLINK("http://x"),S,2020-01-01,,,,,\n'
        "r3,'=1+1 is arithmetic,S,2020-01-01,,,,,\n"
        "r4,Fine,@SUM(A1),2020-01-01,,,,,\n"
    ).encode()
    report = run(write_folder(tmp_path / "a", content, name="manifest.csv"))
    lines = report.lines()
    assert lines[0] == "line 2 [r1]: created"
    assert lines[1].startswith("line 3 [?]: refused — “title” starts with “=”")
    assert lines[2] == "line 4 [r3]: created"
    assert lines[3].startswith("line 5 [?]: refused — “summary” starts with “@”")
    publication = Publication.objects.get(external_id="r1")
    authors = list(publication.authorships.order_by("order"))
    assert [str(a.person) for a in authors] == ["Emily Ferris", "Andrey Kortunov"]
    assert authors[0].byline_position == "Fellow" and authors[0].institution.name == "RUSI"
    assert sorted(publication.topics.values_list("name", flat=True)) == ["Arctic", "Arms Control"]
    assert publication.project.name == "UK–Russia Dialogue" and publication.project_part == 2
    assert Publication.objects.get(external_id="r3").title == "=1+1 is arithmetic"


def test_csv_refuses_a_formula_behind_leading_whitespace(tmp_path):
    content = (
        b"id,title,summary,published_at\n"
        b"r1, =SUM(1+1)*cmd,S,2020-01-01\n"
        b'r2,"\n@SUM(A1)",S,2020-01-01\n'
        b"r3,' =kept as text,S,2020-01-01\n"
        b"r4, plain with a space,S,2020-01-01\n"
    )
    report = run(write_folder(tmp_path / "a", content, name="manifest.csv"))
    lines = report.lines()
    assert lines[0].startswith("line 2 [?]: refused — “title” starts with “=”")
    assert lines[1].startswith("line 4 [?]: refused — “title” starts with “@”")
    assert lines[2:] == ["line 5 [r3]: created", "line 6 [r4]: created"]
    assert not Publication.objects.filter(title__contains="SUM").exists()
    assert Publication.objects.get(external_id="r3").title == "=kept as text"  # stripped


def test_ris_and_bibtex_are_a_second_way_in(tmp_path):
    ris = (
        "TY  - RPRT\nID  - rusi-2019-1\nTI  - Arctic security\nAU  - Ferris, Emily\n"
        "AU  - Kortunov, Andrey\nPY  - 2019/05/01/\nAB  - What changes.\nKW  - Arctic\n"
        "L1  - files/a.pdf\nER  - \n"
        "TY  - JOUR\nTI  - No summary\nPY  - 2019\nER  - \n"
    )
    bib = (
        "@techreport{kortunov2020,\n  title = {Arms {Control} after {INF}},\n"
        "  author = {Kortunov, Andrey and Emily Ferris},\n  year = 2020, month = mar,\n"
        '  abstract = "A look back.",\n  keywords = {Arms Control, Arctic}\n}\n'
        "@article{broken, title = {Never closed}\n"
    )
    folder = tmp_path / "a"
    write_folder(folder, ris.encode(), name="refs.ris")
    (folder / "refs.bib").write_text(bib)
    lines = run(folder).lines()
    assert lines[0] == "refs.ris, entry 1 (line 1) [rusi-2019-1]: created"
    assert lines[1].startswith(
        "refs.ris, entry 2 (line 11) [ris-no-summary]: refused — summary: missing"
    )
    assert lines[2] == "refs.bib, entry 1 (line 1) [kortunov2020]: created"
    assert lines[3].startswith("refs.bib, entry 2 (line 8) [?]: refused — the entry's braces")
    ris_publication = Publication.objects.get(external_id="rusi-2019-1")
    assert [a.person.family_name for a in ris_publication.authorships.order_by("order")] == [
        "Ferris",
        "Kortunov",
    ]
    assert ris_publication.attachments.count() == 1
    bib_publication = Publication.objects.get(external_id="kortunov2020")
    assert bib_publication.title == "Arms Control after INF"
    assert bib_publication.published_at.month == 3
    assert Person.objects.count() == 2  # the same people, matched by name
    assert Topic.objects.count() == 2


def make_zip(path, entries, symlink=None):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


@pytest.mark.parametrize(
    ("entries", "symlink", "message"),
    [
        ({"../evil.pdf": PDF}, None, "“../evil.pdf”: a path that leaves the archive."),
        ({"files/../../evil.pdf": PDF}, None, "a path that leaves the archive"),
        ({"/etc/cron.d/evil": b"x"}, None, "“/etc/cron.d/evil”: an absolute path."),
        ({"C:/evil": b"x"}, None, "an absolute path"),
        ({}, "files/link.pdf", "“files/link.pdf”: a symbolic link."),
    ],
)
def test_hostile_zips_are_refused_whole(tmp_path, entries, symlink, message):
    content = json.dumps(manifest(record())).encode()
    path = make_zip(
        tmp_path / "a.zip", {"manifest.json": content, "files/a.pdf": PDF, **entries}, symlink
    )
    with pytest.raises(ArchiveRefused, match=message.replace("(", r"\(")):
        open_source(path)
    assert not (tmp_path / "evil.pdf").exists() and not (tmp_path.parent / "evil.pdf").exists()


def test_a_zip_bomb_is_refused_by_ratio_and_by_total(tmp_path, settings):
    bomb = make_zip(
        tmp_path / "bomb.zip",
        {"manifest.json": b"{}", "files/zeros.pdf": b"\0" * (20 * 1024 * 1024)},
    )
    assert bomb.stat().st_size < 100_000
    with pytest.raises(ArchiveRefused, match="refused as a zip bomb"):
        open_source(bomb)
    settings.ARCHIVE_MAX_BYTES = 1000
    big = make_zip(tmp_path / "big.zip", {"manifest.json": b"{}", "files/a.pdf": os.urandom(2000)})
    with pytest.raises(ArchiveRefused, match="The zip expands to 2002 bytes; the limit is 1000."):
        open_source(big)
    settings.ARCHIVE_MAX_BYTES = 10**9
    settings.BANNER_MAX_BYTES = settings.ATTACHMENT_MAX_BYTES = 1000
    settings.ARCHIVE_MANIFEST_MAX_BYTES = 1000
    with pytest.raises(ArchiveRefused, match="“files/a.pdf” expands to 2000 bytes"):
        open_source(big)


def test_a_zip_that_lies_about_its_sizes_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest(record())).encode())
        archive.writestr("files/a.pdf", PDF)
    data = bytearray(buffer.getvalue())
    # Shrink the declared size of files/a.pdf in its local header and central directory.
    declared = len(PDF).to_bytes(4, "little")
    smaller = (len(PDF) // 2).to_bytes(4, "little")
    data = bytes(data).replace(declared + declared, smaller + smaller)
    path = tmp_path / "liar.zip"
    path.write_bytes(data)
    report = run(path)
    assert report.count("created") == 0
    assert Publication.objects.count() == 0
    assert media_files() == []


def test_a_folder_with_a_symlink_is_refused(tmp_path):
    folder = write_folder(tmp_path / "a", manifest(record()))
    (folder / "files" / "link.pdf").symlink_to("/etc/passwd")
    report = run(folder)
    assert report.refused_archive == "“files/link.pdf”: a symbolic link."
    assert Publication.objects.count() == 0


def test_a_folder_manifest_cannot_reach_outside(tmp_path):
    (tmp_path / "secret.pdf").write_bytes(PDF)
    folder = write_folder(tmp_path / "a", manifest(record(attachments=[{"file": "../secret.pdf"}])))
    report = run(folder)
    assert report.lines() == [
        "record 1 [r1]: refused — “../secret.pdf”: a path that leaves the archive."
    ]


def test_the_documented_example_imports(tmp_path):
    docs = (Path(__file__).resolve().parents[2] / "docs" / "archive.md").read_text()
    example = re.search(r"```json\n(.*?)```", docs, re.S).group(1).replace("<p>…</p>", "<p>x</p>")
    jpeg = io.BytesIO()
    Image.new("RGB", (30, 20)).save(jpeg, "JPEG")
    folder = write_folder(
        tmp_path / "a",
        example.encode(),
        {"files/arctic/banner.jpg": jpeg.getvalue(), "files/arctic/report.pdf": PDF},
    )
    assert run(folder).lines() == ["record 1 [rusi-2019-017]: created"]
    publication = Publication.objects.get(external_id="rusi-2019-017")
    assert publication.authorships.get().institution.short_name == "RUSI"
    assert publication.project.institutions.get().slug == "rusi"

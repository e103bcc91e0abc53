"""Everything the history covers has a revision of its state before any admin edit (issue 25,
point 1): what an archive import, load_demo, generate_content or the data migration wrote
can be restored after an editor changes it."""

import importlib
import io
import json
from types import SimpleNamespace

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from reversion.models import Revision, Version

from dialogue_portal.archive import importer
from dialogue_portal.archive.importer import import_archive
from dialogue_portal.archive.source import open_source
from dialogue_portal.desk import first_revisions
from dialogue_portal.desk.history import Snapshot, capture
from people.models import Institution, Person
from polls.models import Poll
from publications.models import (
    Audience,
    Authorship,
    Programme,
    Project,
    Publication,
    Region,
    Topic,
)
from tests.archive.test_admin import confirm_url, job_of, zip_upload
from tests.archive.test_import import PDF, manifest, record, run, write_folder
from tests.demo.test_load_demo import quick_files  # noqa: F401 - a fixture
from tests.demo.test_load_demo import run as load_demo
from tests.desk.helpers import change_form, change_url, post_form
from tests.factories import (
    make_attachment,
    make_institution,
    make_person,
    make_poll,
    make_programme,
    make_project,
    make_publication,
    make_topic,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

# What a revision starts from: each has one of its own, holding what it follows.
ROOTS = (Publication, Person, Institution, Poll, Topic, Region, Audience, Programme, Project)


def versions_of(obj):
    return Version.objects.get_for_object(obj).select_related("revision")


def assert_one_first_revision_each(objects, comment):
    """Every object has exactly one version, in a revision of its own with ``comment``
    that holds it and everything it follows (a publication's authorships and attachments,
    a person's affiliations, a poll's choices), as an admin save would."""
    for obj in objects:
        versions = list(versions_of(obj))
        assert len(versions) == 1, (obj, len(versions))
        revision = versions[0].revision
        assert revision.comment == comment
        held = {(v.content_type.model, v.object_id) for v in revision.version_set.all()}
        expected = {(obj._meta.model_name, str(obj.pk))}
        for accessor, child in first_revisions.shape_of(type(obj)).children:
            pks = getattr(obj, accessor).values_list("pk", flat=True)
            expected |= {(child.model._meta.model_name, str(pk)) for pk in pks}
        assert held == expected, obj


# --- an archive import, edited in the admin, restored ---------------------------------------


def archive_with_two_authors_and_two_topics(tmp_path):
    content = manifest(
        record(
            title="Defining Dialogue: Part 2",
            subtitle="A conference report",
            body="<p>What the conference said.</p>",
            authors=[
                {"person": "ann-lee", "position": "Fellow"},
                {"person": "bob-ray", "institution": "rusi"},
            ],
            topics=["arms-control", "cyber"],
        ),
        people=[
            {"slug": "ann-lee", "given_name": "Ann", "family_name": "Lee"},
            {"slug": "bob-ray", "given_name": "Bob", "family_name": "Ray"},
        ],
        institutions=[{"slug": "rusi", "name": "Royal United Services Institute"}],
        topics=[
            {"slug": "arms-control", "name": "Arms control"},
            {"slug": "cyber", "name": "Cyber security"},
        ],
    )
    return write_folder(tmp_path / "archive", content, {"files/a.pdf": PDF})


def test_an_imported_report_edited_in_the_admin_restores_to_what_was_imported(
    tmp_path, reviewer_client
):
    report = run(archive_with_two_authors_and_two_topics(tmp_path))
    assert report.lines() == ["record 1 [r1]: created"]
    publication = Publication.objects.get(external_id="r1")
    imported = Snapshot.live(publication)
    imported_pdf = publication.attachments.get().file.name
    assert_one_first_revision_each([publication], first_revisions.IMPORTED)
    for model in (Person, Institution, Topic):
        assert_one_first_revision_each(model.objects.all(), first_revisions.IMPORTED)

    # An editor retitles it, swaps the authors, drops a tag and replaces the PDF.
    ann, bob = Person.objects.get(slug="ann-lee"), Person.objects.get(slug="bob-ray")
    arms = Topic.objects.get(slug="arms-control")
    attachment = publication.attachments.get()
    data = change_form(
        publication,
        title="Defining Dialogue, corrected",
        authors=[bob, ann],
        topics=[str(arms.pk)],
        files={"replace": {attachment.pk: pdf_upload("corrected.pdf")}},
    )
    assert post_form(reviewer_client, change_url(publication), data).status_code == 302
    publication.refresh_from_db()
    assert publication.title == "Defining Dialogue, corrected"
    assert publication.attachments.get().file.name != imported_pdf

    # The history shows the import; compare and restore read it.
    history = reviewer_client.get(
        reverse("admin:publications_publication_history", args=[publication.pk])
    )
    assert "Imported from archive" in history.content.decode()
    first = versions_of(publication).order_by("pk").first()
    compare = reviewer_client.get(
        reverse("admin:publications_publication_compare", args=[publication.pk]),
        {"old": first.revision_id, "new": "live"},
    )
    assert compare.status_code == 200 and "Part 2" in compare.content.decode()
    url = reverse("admin:publications_publication_revision", args=[publication.pk, first.pk])
    assert reviewer_client.get(url).status_code == 200
    assert post_form(reviewer_client, url, {}).status_code == 302

    publication = Publication.objects.get(pk=publication.pk)
    restored = Snapshot.live(publication)
    for name in first_revisions.shape_of(Publication).fields:
        if name not in ("updated_at", "people"):
            assert restored.value(name) == imported.value(name), name
    assert publication.title == "Defining Dialogue: Part 2"
    assert [a.person for a in publication.authorships.order_by("order")] == [ann, bob]
    first_author, second_author = publication.authorships.order_by("order")
    assert first_author.byline_position == "Fellow"
    assert second_author.institution.slug == "rusi"
    assert sorted(publication.topics.values_list("slug", flat=True)) == ["arms-control", "cyber"]
    pdf = publication.attachments.get()
    assert pdf.file.name == imported_pdf and default_storage.exists(imported_pdf)
    assert default_storage.open(imported_pdf).read() == PDF


def test_importing_the_same_archive_again_records_nothing_new(tmp_path):
    folder = archive_with_two_authors_and_two_topics(tmp_path)
    run(folder)
    before = Revision.objects.count()
    assert run(folder).lines() == ["record 1 [r1]: unchanged"]
    assert Revision.objects.count() == before


def test_a_dry_run_records_nothing(tmp_path):
    run(archive_with_two_authors_and_two_topics(tmp_path), dry_run=True)
    assert Revision.objects.count() == 0


def test_a_changed_record_imported_again_is_a_new_revision(tmp_path):
    run(write_folder(tmp_path / "a", manifest(record())))
    run(write_folder(tmp_path / "b", manifest(record(title="Second thoughts"))))
    publication = Publication.objects.get()
    titles = [v.field_dict["title"] for v in versions_of(publication).order_by("pk")]
    assert titles == ["First", "Second thoughts"]


def test_a_refused_record_among_kept_ones_leaves_them_theirs_and_gets_none(
    tmp_path, monkeypatch, reviewer
):
    """Revisions are written for each transaction's records together: those kept get one
    each, by the importing user, whichever transaction they fell in; a refused one (whose
    new author was written, then rolled back) none."""
    monkeypatch.setattr(importer, "RECORDS_PER_TRANSACTION", 2)
    bob = {"slug": "bob-ray", "given_name": "Bob", "family_name": "Ray"}
    content = manifest(
        record(),
        record(id="r2", slug="second", authors=[{"person": "bob-ray"}],
               attachments=[{"file": "files/missing.pdf"}]),
        record(id="r3", slug="third", authors=[{"person": "bob-ray"}], topics=["cyber"]),
        people=[{"slug": "ann-lee", "given_name": "Ann", "family_name": "Lee"}, bob],
        topics=[{"slug": "cyber", "name": "Cyber security"}],
    )  # fmt: skip
    source = open_source(write_folder(tmp_path / "archive", content))
    try:
        report = import_archive(source, user=reviewer)
    finally:
        source.close()
    assert [line.split(" —")[0] for line in report.lines()] == [
        "record 1 [r1]: created",
        "record 2 [r2]: refused",
        "record 3 [r3]: created",
    ]
    kept = [*Publication.objects.all(), *Person.objects.all(), *Topic.objects.all()]
    assert len(kept) == 5
    assert_one_first_revision_each(kept, first_revisions.IMPORTED)
    assert Revision.objects.count() == len(kept)
    assert set(Revision.objects.values_list("user", flat=True)) == {reviewer.pk}
    third = Publication.objects.get(external_id="r3")
    held = versions_of(third).get().field_dict
    assert (held["title"], held["topics"]) == ("First", [Topic.objects.get().pk])
    assert versions_of(Person.objects.get(slug="bob-ray")).get().field_dict["family_name"] == "Ray"


def test_an_upload_in_the_admin_records_the_editor_who_confirmed_it(editor_client, editor):
    job = job_of(editor_client.post("/admin/archive/import/", {"archive": zip_upload()}))
    assert Revision.objects.count() == 0  # the dry run
    editor_client.post(confirm_url(job))
    publication = Publication.objects.get()
    assert_one_first_revision_each([publication], first_revisions.IMPORTED)
    assert versions_of(publication).get().revision.user == editor
    assert versions_of(Person.objects.get()).get().revision.user == editor


# --- load_demo and generate_content ---------------------------------------------------------


@pytest.mark.slow
@pytest.mark.usefixtures("quick_files")
def test_load_demo_gives_each_row_it_loads_one_first_revision_and_a_rerun_none():
    load_demo()
    seed = Publication.objects.get(title__startswith="Defining Dialogue", title__contains="Part 2")
    assert_one_first_revision_each([seed], first_revisions.LOADED_BY_DEMO)
    assert Snapshot.from_revision(versions_of(seed).get().revision, seed.pk) is not None
    for model in ROOTS:
        for obj in model.objects.all():
            comments = [v.revision.comment for v in versions_of(obj).order_by("pk")]
            # The desk's demo adds revisions of its own to two publications.
            assert comments and comments[0] in (
                first_revisions.LOADED_BY_DEMO,
                "Demo: drafted and submitted for review.",
            ), obj
    loaded = Revision.objects.filter(comment=first_revisions.LOADED_BY_DEMO)
    assert loaded.count() == sum(model.objects.count() for model in ROOTS) - 1
    before = Revision.objects.count()
    load_demo()
    assert Revision.objects.count() == before


def test_generate_content_gives_everything_it_makes_one_first_revision():
    call_command("generate_content", publications=12, stdout=io.StringIO())
    generated = Publication.objects.filter(slug__startswith="gen-")
    assert generated.count() == 12
    assert_one_first_revision_each(generated, first_revisions.GENERATED)
    for model in (Person, Institution, Topic, Region, Project, Programme, Poll):
        assert_one_first_revision_each(
            model.objects.filter(slug__startswith="gen-"), first_revisions.GENERATED
        )
    assert_one_first_revision_each(Audience.objects.all(), first_revisions.GENERATED)
    # Written in bulk, read as the admin's revisions are.
    publication = generated.filter(authorships__isnull=False).first()
    snapshot = Snapshot.from_revision(versions_of(publication).get().revision, publication.pk)
    assert snapshot.value("topics") == Snapshot.live(publication).value("topics")
    assert len(snapshot.authorships) == publication.authorships.count()

    call_command("generate_content", publications=5, stdout=io.StringIO())
    assert_one_first_revision_each(generated.all(), first_revisions.GENERATED)
    assert_one_first_revision_each(Person.objects.all(), first_revisions.GENERATED)


def test_bulk_revisions_hold_what_reversion_would_store():
    """The bulk writer serializes as reversion does: the same fields, the same names."""
    person = make_person(institution=make_institution(short_name="RUSI"))
    publication = make_publication(authors=[person], topics=[make_topic()])
    make_attachment(publication)
    shape = first_revisions.shape_of(Publication)
    first_revisions.record_in_bulk(shape, Publication.objects.all(), comment="bulk")
    bulk = {(v.content_type_id, v.object_id): v for v in Version.objects.all()}
    first_revisions.record([publication], comment="reversion")
    for version in Version.objects.filter(revision__comment="reversion"):
        twin = bulk[(version.content_type_id, version.object_id)]
        assert twin.field_dict == version.field_dict
        assert twin.object_repr == version.object_repr
        assert twin.format == version.format and twin.db == version.db


def test_revisions_written_together_hold_what_reversion_would_store(reviewer):
    """What an import's record writes, recorded together, as reversion records each: the
    same versions, fields and names, and the same user and comment."""
    institution = make_institution(short_name="RUSI")
    person = make_person(institution=institution)
    topic = make_topic()
    publication = make_publication(authors=[person], topics=[topic])
    make_attachment(publication)
    project = make_project()
    project.institutions.set([institution])
    programme = make_programme(institution=institution)
    objects = [institution, person, topic, project, programme, publication]
    first_revisions.record_together(objects, comment="together", user=reviewer)
    together = {
        (v.content_type_id, v.object_id): v
        for v in Version.objects.select_related("revision").filter(revision__comment="together")
    }
    first_revisions.record(objects, comment="reversion", user=reviewer)
    versions = Version.objects.select_related("revision").filter(revision__comment="reversion")
    assert {(v.content_type_id, v.object_id) for v in versions} == together.keys()
    for version in versions:
        twin = together[(version.content_type_id, version.object_id)]
        assert twin.field_dict == version.field_dict
        assert twin.object_repr == version.object_repr
        assert twin.format == version.format and twin.db == version.db
        assert twin.revision.user == version.revision.user == reviewer
    assert Revision.objects.filter(comment="together").count() == len(objects)


# --- the data migration ------------------------------------------------------------------


def parsed(records):
    """Serialized objects as data: field order follows the model's (historical or not)."""
    return sorted((json.loads(data) for data in records), key=lambda d: (d[0]["model"], d[0]["pk"]))


def migrate_first_revisions():
    migration = importlib.import_module("dialogue_portal.desk.migrations.0003_first_revisions")
    state = MigrationLoader(connection).project_state(("desk", "0003_first_revisions"))
    migration.record_first_revisions(state.apps, SimpleNamespace(connection=connection))
    return migration.COMMENT


def test_the_migration_gives_every_object_without_a_version_one_first_revision(
    reviewer_client,
):
    institution = make_institution()
    person = make_person(institution=institution)
    publication = make_publication(authors=[person], topics=[make_topic()])
    make_attachment(publication)
    make_poll()
    project = make_project()
    project.institutions.set([institution])
    make_programme(institution=institution)
    # Recorded already, then given an author outside the admin: recorded again, as it is.
    recorded = make_publication(authors=[person])
    first_revisions.record([recorded], comment="earlier")
    Authorship.objects.create(publication=recorded, person=make_person(), order=2)
    # Recorded and unchanged: left alone.
    untouched = make_publication()
    first_revisions.record([untouched], comment="earlier")

    comment = migrate_first_revisions()
    for model in ROOTS:
        fresh = model.objects.exclude(
            pk__in=[recorded.pk, untouched.pk] if model is Publication else []
        )
        assert_one_first_revision_each(fresh, comment)
    assert [v.revision.comment for v in versions_of(recorded).order_by("pk")] == [
        "earlier",
        comment,
    ]
    assert (
        len(
            Snapshot.from_revision(
                versions_of(recorded).order_by("pk").last().revision, recorded.pk
            ).authorships
        )
        == 2
    )
    assert versions_of(untouched).count() == 1
    # What it stored is what reversion stores for the models as they are.
    version = versions_of(publication).get()
    assert version.serialized_data and version.object_repr == publication.title
    stored = version.revision.version_set.values_list("serialized_data", flat=True)
    assert parsed(stored) == parsed(capture(publication))
    # The history and restore pages read it.
    url = reverse("admin:publications_publication_revision", args=[publication.pk, version.pk])
    assert reviewer_client.get(url).status_code == 200

    before = Revision.objects.count()
    migrate_first_revisions()
    assert Revision.objects.count() == before

"""The archive import follows the review rule: an editor's archive publishes nothing and
changes no live publication; a publisher's import leaves a decision for what it publishes."""

import io

import pytest
from django.core.management import call_command

from dialogue_portal.desk.models import Decision, Proposal
from publications.models import Publication
from tests.archive.test_admin import confirm_url, job_of, zip_upload
from tests.archive.test_import import manifest, record, write_folder
from tests.factories import make_person, make_publication
from tests.tasks import run_worker

pytestmark = pytest.mark.django_db

IMPORT = "/admin/archive/import/"


def upload(client, content, *, worker=None):
    """Upload, read the dry run, confirm: (the dry run's page, the import's page). With
    ``worker``, the database backend's worker runs each task after its request."""
    job = job_of(client.post(IMPORT, {"archive": zip_upload(content)}))
    if worker:
        worker()
    report = client.get(f"/admin/archive/import/{job.pk}/")
    confirmed = client.post(confirm_url(job))
    assert confirmed.status_code == 302
    if worker:
        worker()
    return report, client.get(confirmed["Location"])


def test_an_editors_published_record_becomes_a_draft_in_review(editor_client):
    _report, done = upload(editor_client, manifest(record(status="published")))
    assert done.status_code == 200
    publication = Publication.objects.get(external_id="r1")
    assert publication.status == Publication.Status.REVIEW
    assert not Publication.objects.published().exists()
    assert publication.decisions.get().action == Decision.Action.SUBMITTED


def test_the_worker_imports_as_the_editor_who_uploaded(editor_client, database_tasks):
    """The task runs in the worker, without a request: the rule is still the uploader's."""
    _report, done = upload(editor_client, manifest(record(status="published")), worker=run_worker)
    assert "0 refused" in done.content.decode()
    publication = Publication.objects.get(external_id="r1")
    assert publication.status == Publication.Status.REVIEW
    assert not Publication.objects.published().exists()
    decision = publication.decisions.get()
    assert decision.action == Decision.Action.SUBMITTED
    assert decision.user.username == "editor"


def test_an_editors_change_to_a_live_publication_becomes_a_proposal(editor_client):
    live = make_publication(slug="first", title="Live title", authors=[make_person(slug="ann-lee")])
    live.authorships.update(byline_position="Fellow")
    report, done = upload(editor_client, manifest(record(id="first", title="Imported title")))
    assert "would become a proposal" in report.content.decode()
    assert done.status_code == 200
    live.refresh_from_db()
    assert live.title == "Live title"
    assert live.status == Publication.Status.PUBLISHED
    assert live.authorships.get().byline_position == "Fellow"
    proposal = Proposal.objects.get(publication=live)
    assert proposal.title == "Imported title"
    assert proposal.state == Proposal.State.PENDING


def test_a_reviewers_import_publishes_with_a_decision(reviewer_client):
    upload(reviewer_client, manifest(record(status="published")))
    publication = Publication.objects.get(external_id="r1")
    assert publication.status == Publication.Status.PUBLISHED
    decision = publication.decisions.get()
    assert decision.action == Decision.Action.APPROVED
    assert decision.user.username == "reviewer"


def test_the_command_publishes_as_the_site_and_records_it(tmp_path):
    folder = write_folder(tmp_path / "archive", manifest(record()))
    call_command("import_archive", str(folder), stdout=io.StringIO())
    publication = Publication.objects.get(external_id="r1")
    assert publication.status == Publication.Status.PUBLISHED
    assert publication.decisions.get().action == Decision.Action.APPROVED


def test_the_command_with_review_publishes_nothing(tmp_path):
    live = make_publication(slug="first", title="Live title")
    folder = write_folder(
        tmp_path / "archive", manifest(record(id="first", title="New"), record(id="r2", slug="b"))
    )
    out = io.StringIO()
    call_command("import_archive", str(folder), "--review", stdout=out)
    assert Publication.objects.get(external_id="r2").status == Publication.Status.REVIEW
    live.refresh_from_db()
    assert live.title == "Live title"
    assert Proposal.objects.get(publication=live).title == "New"
    assert "became a proposal" in out.getvalue()


def test_the_command_as_an_editor_follows_their_permissions(tmp_path, editor):
    folder = write_folder(tmp_path / "archive", manifest(record()))
    call_command("import_archive", str(folder), "--user", "editor", stdout=io.StringIO())
    assert Publication.objects.get(external_id="r1").status == Publication.Status.REVIEW

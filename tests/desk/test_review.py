"""Review before publishing: editors submit and propose, reviewers approve or send back."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from reversion.models import Revision, Version

from dialogue_portal.core.pagecache import content_version
from dialogue_portal.desk.history import describe
from dialogue_portal.desk.models import Decision, Proposal
from publications.models import Publication
from tests.desk.helpers import change_form, change_url, post_form
from tests.factories import make_person, make_publication
from tests.publications.test_admin import publication_form

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:publications_publication_add")
CHANGELIST = reverse("admin:publications_publication_changelist")


def review_url(publication):
    return reverse("admin:publications_publication_review", args=[publication.pk])


@pytest.fixture
def draft():
    return make_publication(
        title="Draft report",
        status=Publication.Status.DRAFT,
        published_at=None,
        authors=[make_person(family_name="Chalmers")],
    )


@pytest.fixture
def published():
    first = make_person(given_name="Malcolm", family_name="Chalmers")
    second = make_person(given_name="Andrey", family_name="Kortunov")
    return make_publication(title="The published title", authors=[first, second])


def test_only_reviewers_hold_the_publish_permission(editor, reviewer):
    publish = Permission.objects.get(codename="publish_publication")
    assert publish not in Group.objects.get(name="Editors").permissions.all()
    assert publish in Group.objects.get(name="Reviewers").permissions.all()
    assert not editor.has_perm("publications.publish_publication")
    assert reviewer.has_perm("publications.publish_publication")
    assert editor.get_all_permissions() < reviewer.get_all_permissions()


def test_the_editors_form_does_not_offer_published(editor_client, draft):
    form = editor_client.get(change_url(draft)).context["adminform"].form
    assert [value for value, _ in form.fields["status"].choices] == ["draft", "review"]
    actions = editor_client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "publish" not in dict(actions)


@pytest.mark.slow
def test_a_forged_post_that_publishes_is_403_and_changes_nothing(editor_client, draft, published):
    data = change_form(draft, status=False, title="Forged", status_value=None)
    data.pop("status_value")
    data["status"] = "published"
    assert post_form(editor_client, change_url(draft), data).status_code == 403
    draft.refresh_from_db()
    assert (draft.status, draft.title) == ("draft", "Draft report")

    assert editor_client.post(ADD_URL, publication_form(status="published")).status_code == 403
    assert not Publication.objects.filter(slug="managing-security-relations").exists()

    action = {"action": "publish", "_selected_action": [draft.pk]}
    assert editor_client.post(CHANGELIST, action).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"

    # Unpublishing or rescheduling a published one is publishing too.
    data = change_form(published, title="Forged")
    data["status"] = "draft"
    assert post_form(editor_client, change_url(published), data).status_code == 403
    published.refresh_from_db()
    assert (published.status, published.title) == ("published", "The published title")
    assert not Proposal.objects.exists()


def test_an_editor_submits_a_draft_and_reviewers_are_told(
    editor_client, reviewer, draft, django_capture_on_commit_callbacks
):
    data = change_form(draft, status=False)
    data["status"] = "review"
    with django_capture_on_commit_callbacks(execute=True):
        assert post_form(editor_client, change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "review"
    decision = Decision.objects.get(publication=draft)
    assert (decision.action, decision.user.username) == ("submitted", "editor")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reviewer@example.org"]
    assert "Draft report" in mail.outbox[0].subject
    assert review_url(draft) in mail.outbox[0].body


def test_sending_back_needs_a_comment(reviewer_client, draft):
    Publication.objects.filter(pk=draft.pk).update(status="review")
    response = reviewer_client.post(review_url(draft), {"action": "send-back", "comment": "  "})
    assert response.status_code == 400
    assert "Say what needs changing." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "review"
    assert not Decision.objects.exists()

    response = reviewer_client.post(
        review_url(draft), {"action": "send-back", "comment": "Add the Russian summary."}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert Decision.objects.get().comment == "Add the Russian summary."


def test_a_reviewer_approves_a_submitted_draft(
    reviewer_client, draft, client, django_capture_on_commit_callbacks
):
    Publication.objects.filter(pk=draft.pk).update(status="review")
    assert client.get(draft.get_absolute_url()).status_code == 404
    cached = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(review_url(draft), {"action": "approve", "comment": ""})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_public
    assert content_version() > cached
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_an_editor_cannot_approve_or_send_back(editor_client, draft):
    Publication.objects.filter(pk=draft.pk).update(status="review")
    for action in ("approve", "send-back"):
        response = editor_client.post(review_url(draft), {"action": action, "comment": "ok"})
        assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "review"


@pytest.mark.slow
def test_changes_to_a_published_publication_wait_for_approval(
    editor_client, reviewer_client, published, django_capture_on_commit_callbacks, reviewer
):
    first, second = [a.person for a in published.authorships.order_by("order")]
    reader = Client()
    url = published.get_absolute_url()
    data = change_form(published, status=False, title="The revised title", authors=[second, first])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(editor_client, change_url(published), data)
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.title == "The published title"  # readers still see the published text
    assert [a.person for a in published.authorships.order_by("order")] == [first, second]
    assert "The published title" in reader.get(url).content.decode()
    proposal = Proposal.objects.get()
    assert (proposal.state, proposal.title) == ("pending", "The revised title")
    assert len(mail.outbox) == 1 and "The published title" in mail.outbox[0].subject

    # The editor comes back to the form: it shows what they proposed, not the live text.
    form = editor_client.get(change_url(published)).context["adminform"].form
    assert form.initial["title"] == "The revised title"

    # The reviewer compares, sends it back; the editor fixes it; the reviewer approves.
    page = reviewer_client.get(review_url(published))
    rows = {row.label: row for row in page.context["rows"]}
    assert rows["Title"].changed and rows["Authors, in byline order"].changed
    reviewer_client.post(review_url(published), {"action": "send-back", "comment": "Subtitle?"})
    proposal.refresh_from_db()
    assert proposal.state == "sent-back"
    home = editor_client.get(reverse("admin:index")).content.decode()
    assert "My drafts" in home and "Subtitle?" in home

    data = change_form(
        published,
        status=False,
        title="The revised title",
        subtitle="Now with a subtitle",
        authors=[second, first],
    )
    post_form(editor_client, change_url(published), data)
    proposal.refresh_from_db()
    assert proposal.state == "pending"
    assert "The published title" in reader.get(url).content.decode()
    assert "Awaiting my review" in reviewer_client.get(reverse("admin:index")).content.decode()

    cached = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(review_url(published), {"action": "approve"})
    assert response.status_code == 302
    published.refresh_from_db()
    assert (published.title, published.subtitle) == ("The revised title", "Now with a subtitle")
    assert published.status == "published"
    assert [a.person for a in published.authorships.order_by("order")] == [second, first]
    assert content_version() > cached
    assert "The revised title" in reader.get(url).content.decode()
    approval = Version.objects.get_for_object(published).first().revision
    assert describe(approval) == "Approved the changes proposed by editor"
    with translation.override("ru"):
        assert describe(approval) == "Одобрены изменения, предложенные editor"
    actions = list(Decision.objects.order_by("created_at", "pk").values_list("action", flat=True))
    assert actions == ["proposed", "sent-back", "proposed", "approved"]


def test_admin_home_queues(editor_client, reviewer_client, draft, django_assert_num_queries):
    Publication.objects.filter(pk=draft.pk).update(status="review")
    home = reviewer_client.get(reverse("admin:index"))
    text = home.content.decode()
    assert "Awaiting my review" in text and "Draft report" in text
    assert "Awaiting my review" not in editor_client.get(reverse("admin:index")).content.decode()


def test_an_editor_cannot_delete_what_readers_see(editor_client, published, draft):
    delete = reverse("admin:publications_publication_delete", args=[published.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [published.pk], "post": "yes"}
    assert editor_client.post(CHANGELIST, bulk).status_code == 403
    assert Publication.objects.filter(pk=published.pk).exists()
    own = reverse("admin:publications_publication_delete", args=[draft.pk])
    assert editor_client.post(own, {"post": "yes"}).status_code == 302


def test_approving_a_draft_with_a_future_date_schedules_it(reviewer_client, draft, client):

    later = timezone.now() + dt.timedelta(days=3)
    Publication.objects.filter(pk=draft.pk).update(status="review", published_at=later)
    assert reviewer_client.post(review_url(draft), {"action": "approve"}).status_code == 302
    draft.refresh_from_db()
    assert draft.is_scheduled and not draft.is_public
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.slow
@pytest.mark.parametrize("authors", [1, 4])
def test_desk_pages_answer_in_a_fixed_number_of_queries(
    reviewer_client, editor_client, authors, django_assert_num_queries
):
    people = [make_person() for _ in range(authors)]
    publication = make_publication(authors=people)
    for title in ("First", "Second", "Third"):
        data = change_form(publication, title=title)
        assert post_form(reviewer_client, change_url(publication), data).status_code == 302
    post_form(
        editor_client, change_url(publication), change_form(publication, status=False, title="X")
    )
    history = reverse("admin:publications_publication_history", args=[publication.pk])
    # Each staff request: two of them for the second factor that verified the session and
    # the account's session fence (dialogue_portal/twofactor/middleware.py).
    with django_assert_num_queries(10):
        assert reviewer_client.get(history).status_code == 200
    with django_assert_num_queries(18):
        assert reviewer_client.get(review_url(publication)).status_code == 200
    with django_assert_num_queries(11):
        assert reviewer_client.get(reverse("admin:index")).status_code == 200


def test_publishing_from_the_list_is_one_revision(reviewer_client, draft, published):

    before = Revision.objects.count()
    action = {"action": "publish", "_selected_action": [draft.pk, published.pk]}
    assert reviewer_client.post(CHANGELIST, action).status_code == 302
    assert Revision.objects.count() == before + 1
    version = Version.objects.get_for_object(draft).get()
    assert version.field_dict["status"] == "published"
    assert version.revision.user.username == "reviewer"

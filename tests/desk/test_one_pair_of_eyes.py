"""Nobody approves their own work, and nothing goes public without a recorded decision."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from dialogue_portal.desk.models import Decision
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
def second_reviewer(django_user_model, reviewer):
    user = django_user_model.objects.create_user("second", "second@example.org", is_staff=True)
    user.groups.set(reviewer.groups.all())
    client = Client()
    client.force_login(user)
    return client


def test_a_reviewer_cannot_approve_their_own_submission(reviewer_client, second_reviewer, draft):
    data = change_form(draft, status=True)
    data["status"] = "review"
    assert post_form(reviewer_client, change_url(draft), data).status_code == 302
    response = reviewer_client.post(review_url(draft), {"action": "approve", "comment": ""})
    assert response.status_code == 400
    assert "another reviewer has to approve it" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Publication.Status.REVIEW
    response = second_reviewer.post(review_url(draft), {"action": "approve", "comment": ""})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Publication.Status.PUBLISHED


def test_a_one_person_desk_may_approve_its_own(reviewer_client, draft, settings):
    settings.REVIEW_ALLOW_SELF_APPROVAL = True
    data = change_form(draft, status=True)
    data["status"] = "review"
    post_form(reviewer_client, change_url(draft), data)
    response = reviewer_client.post(review_url(draft), {"action": "approve", "comment": ""})
    assert response.status_code == 302


def test_a_reviewer_who_publishes_from_the_add_form_leaves_a_decision(reviewer_client):
    data = publication_form(status="published")
    data.update(published_at_0="2026-01-01", published_at_1="10:00:00")
    assert reviewer_client.post(ADD_URL, data).status_code == 302
    publication = Publication.objects.get(slug="managing-security-relations")
    assert publication.status == Publication.Status.PUBLISHED
    decision = publication.decisions.get()
    assert decision.action == Decision.Action.APPROVED
    assert decision.user.username == "reviewer"


def test_publishing_from_the_list_leaves_a_decision_each(reviewer_client, draft):
    action = {"action": "publish", "_selected_action": [draft.pk]}
    assert reviewer_client.post(CHANGELIST, action).status_code == 302
    assert draft.decisions.filter(action=Decision.Action.APPROVED).count() == 1


def test_the_refusal_and_the_import_notes_are_in_russian_too():
    with translation.override("ru"):
        assert gettext(
            "You submitted this yourself: another reviewer has to approve it."
        ).startswith("Вы отправили это сами")
        assert gettext("would become a proposal: readers keep the published version").startswith(
            "станет предложением"
        )


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_review_page_offers_no_approve_button_on_ones_own_submission(
    reviewer_client, second_reviewer, draft, language, settings
):
    data = change_form(draft, status=True)
    data["status"] = "review"
    assert post_form(reviewer_client, change_url(draft), data).status_code == 302
    approve = 'name="action" value="approve"'
    send_back = 'name="action" value="send-back"'
    with translation.override(language):
        headers = {"Accept-Language": language}
        own = reviewer_client.get(review_url(draft), headers=headers).content.decode()
        notice = gettext(
            "You submitted this yourself: another reviewer has to approve it. "
            "You may still send it back."
        )
    assert approve not in own
    assert send_back in own
    assert notice in own
    other = second_reviewer.get(review_url(draft)).content.decode()
    assert approve in other
    settings.REVIEW_ALLOW_SELF_APPROVAL = True
    assert approve in reviewer_client.get(review_url(draft)).content.decode()

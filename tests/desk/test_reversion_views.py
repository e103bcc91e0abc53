"""django-reversion's own recover and revert pages follow the review rule: a version is
looked up by model and object, and an editor's POST never puts anything before readers."""

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

from dialogue_portal.audit.models import Entry
from dialogue_portal.desk.models import Decision
from people.models import Person
from publications.models import Publication
from tests.desk.helpers import change_form, post_form
from tests.factories import make_person, make_publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    publication = make_publication(
        title="The published title", authors=[make_person(family_name="Chalmers")]
    )
    with reversion.create_revision():
        reversion.add_to_revision(publication)
    return publication


def recover_url(version):
    return reverse("admin:publications_publication_recover", args=[version.pk])


def test_recover_of_a_live_publications_version_is_404_and_changes_nothing(
    editor_client, published
):
    version = Version.objects.get_for_object(published).first()
    data = change_form(published, status=False, title="Changed at once")
    response = editor_client.post(recover_url(version), data)
    assert response.status_code == 404
    published.refresh_from_db()
    assert published.title == "The published title"
    assert published.status == Publication.Status.PUBLISHED


def test_recover_does_not_republish_what_a_reviewer_unpublished(editor_client, published):
    version = Version.objects.get_for_object(published).first()
    Publication.objects.filter(pk=published.pk).update(status=Publication.Status.DRAFT)
    response = editor_client.post(recover_url(version), change_form(published, status=False))
    assert response.status_code == 404
    published.refresh_from_db()
    assert published.status == Publication.Status.DRAFT


def test_a_deleted_publication_is_recovered_as_a_draft(editor_client, published):
    pk = published.pk
    data = change_form(published, status=False)
    data.update(status="draft", published_at_0="", published_at_1="")
    for key in [k for k in data if k.startswith("authorships-0-")]:
        data.pop(key)
    data["authorships-TOTAL_FORMS"] = data["authorships-INITIAL_FORMS"] = "0"
    published.delete()  # an admin's takedown
    version = Version.objects.get_deleted(Publication).get(object_id=str(pk))
    response = post_form(editor_client, recover_url(version), data)
    assert response.status_code == 302
    recovered = Publication.objects.get(pk=pk)
    assert recovered.status == Publication.Status.DRAFT
    assert Decision.objects.filter(publication=recovered, action=Decision.Action.RESTORED).exists()
    audit = Entry.objects.get(action="recovered")
    assert (audit.actor_name, audit.object_id) == ("editor", str(pk))


def test_an_editor_cannot_recover_a_deleted_publication_as_published(editor_client, published):
    pk = published.pk
    data = change_form(published)
    published.delete()
    version = Version.objects.get_deleted(Publication).get(object_id=str(pk))
    response = post_form(editor_client, recover_url(version), data)
    assert response.status_code == 403
    assert not Publication.objects.filter(pk=pk, status=Publication.Status.PUBLISHED).exists()


def test_a_publications_version_through_the_people_admin_is_404(editor_client, published):
    person = published.authorships.get().person
    with reversion.create_revision():
        reversion.add_to_revision(person)
    version = Version.objects.get_for_object(published).first()
    Publication.objects.filter(pk=published.pk).update(title="Now")
    person_pk = published.pk  # the object id reversion compared the version's against
    if not Person.objects.filter(pk=person_pk).exists():
        person_pk = person.pk
    url = reverse("admin:people_person_revision", args=[person_pk, version.pk])
    response = editor_client.post(url, {})
    assert response.status_code == 404
    assert Publication.objects.get(pk=published.pk).title == "Now"


def test_a_persons_own_version_still_reverts(reviewer_client):
    person = make_person(given_name="Old", family_name="Name")
    with reversion.create_revision():
        reversion.add_to_revision(person)
    version = Version.objects.get_for_object(person).first()
    Person.objects.filter(pk=person.pk).update(given_name="New")
    url = reverse("admin:people_person_revision", args=[person.pk, version.pk])
    page = reviewer_client.get(url)
    assert page.status_code == 200
    assert page.context["adminform"].form["given_name"].value() == "Old"
    assert Person.objects.get(pk=person.pk).given_name == "New"  # looking changes nothing

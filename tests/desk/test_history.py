"""Every admin save is one revision with what it owns; compare and restore a publication."""

import pytest
import reversion
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from reversion.models import Revision, Version

from dialogue_portal.audit.models import Entry
from dialogue_portal.core.pagecache import content_version
from dialogue_portal.desk.conflicts import LOADED
from dialogue_portal.desk.history import describe
from people.models import Person
from polls.models import Poll
from publications.models import Attachment, Publication
from tests.desk.helpers import change_form, change_url, post_form
from tests.factories import (
    make_attachment,
    make_institution,
    make_person,
    make_poll,
    make_publication,
    make_topic,
    pdf_upload,
    png_upload,
)

pytestmark = pytest.mark.django_db


def revisions_of(obj):
    return Version.objects.get_for_object(obj).select_related("revision")


def authors_in(revision, publication):
    rows = [
        v.field_dict
        for v in revision.version_set.all()
        if v._model.__name__ == "Authorship" and v.field_dict["publication_id"] == publication.pk
    ]
    return [row["person_id"] for row in sorted(rows, key=lambda row: row["order"])]


@pytest.fixture
def report():
    first = make_person(given_name="Malcolm", family_name="Chalmers")
    second = make_person(given_name="Andrey", family_name="Kortunov")
    topic = make_topic(name="Arms control")
    publication = make_publication(
        title="Managing Security Relations",
        authors=[first, second],
        topics=[topic],
        status=Publication.Status.DRAFT,
        published_at=None,
    )
    return publication, first, second, topic


def test_one_admin_save_is_one_revision_with_reordered_authors_and_new_tags(
    reviewer_client, reviewer, report
):
    publication, first, second, topic = report
    new_topic = make_topic(name="Nuclear weapons")
    data = change_form(
        publication,
        title="Managing Security Relations in Europe",
        authors=[second, first],
        topics=[str(topic.pk), str(new_topic.pk)],
    )
    before = Revision.objects.count()
    response = post_form(reviewer_client, change_url(publication), data)
    assert response.status_code == 302
    assert Revision.objects.count() == before + 1
    revision = revisions_of(publication).first().revision
    assert revision.user == reviewer
    assert "Changed" in revision.get_comment()
    # The publication, each authorship, in one revision (reversion #878: inlines kept).
    assert authors_in(revision, publication) == [second.pk, first.pk]
    version = revision.version_set.get(
        object_id=str(publication.pk), content_type__model="publication"
    )
    # Tags saved after the publication (save_related) are in the same revision (#652).
    assert sorted(version.field_dict["topics"]) == sorted([topic.pk, new_topic.pk])
    assert version.field_dict["title"] == "Managing Security Relations in Europe"
    # Readers' counters are never part of a revision.
    assert "view_count" not in version.field_dict


def test_only_a_reorder_is_recorded_too(reviewer_client, report):
    publication, first, second, _ = report
    post_form(reviewer_client, change_url(publication), change_form(publication))
    post_form(
        reviewer_client, change_url(publication), change_form(publication, authors=[second, first])
    )
    newest, older = [v.revision for v in revisions_of(publication)[:2]]
    assert authors_in(older, publication) == [first.pk, second.pk]
    assert authors_in(newest, publication) == [second.pk, first.pk]


@pytest.mark.parametrize(
    ("url_name", "factory", "fields"),
    [
        ("admin:people_institution_change", "institution", {}),
        ("admin:publications_topic_change", "topic", {}),
    ],
)
def test_saving_a_term_or_institution_is_one_revision(reviewer_client, url_name, factory, fields):

    obj = make_institution() if factory == "institution" else make_topic()
    form = {
        "institution": {
            "name": "Royal United Services Institute",
            "name_ru": "",
            "short_name": "RUSI",
            "short_name_ru": "",
            "slug": obj.slug,
            "city": "London",
            "city_ru": "",
            "website": "",
            "description": "",
            "description_ru": "",
        },
        "topic": {
            "name": "Arms control",
            "name_ru": "Контроль над вооружениями",
            "slug": obj.slug,
            "description": "",
            "description_ru": "",
        },
    }[factory]
    response = post_form(reviewer_client, reverse(url_name, args=[obj.pk]), form)
    assert response.status_code == 302
    assert revisions_of(obj).count() == 1
    assert revisions_of(obj).first().revision.user.username == "reviewer"


def test_a_person_with_affiliations_and_a_poll_with_choices_are_one_revision_each(
    reviewer_client,
):

    institution = make_institution()
    person = make_person(institution=institution)
    affiliation = person.affiliations.get()
    data = {
        "given_name": person.given_name,
        "family_name": "Renamed",
        "slug": person.slug,
        "honorific": "",
        "position": "",
        "short_bio": "",
        "bio": "",
        "orcid": "",
        "given_name_ru": "",
        "family_name_ru": "",
        "honorific_ru": "",
        "position_ru": "",
        "short_bio_ru": "",
        "bio_ru": "",
        "affiliations-TOTAL_FORMS": "1",
        "affiliations-INITIAL_FORMS": "1",
        "affiliations-MIN_NUM_FORMS": "0",
        "affiliations-MAX_NUM_FORMS": "1000",
        "affiliations-0-id": str(affiliation.pk),
        "affiliations-0-person": str(person.pk),
        "affiliations-0-institution": str(institution.pk),
        "affiliations-0-role": "Director",
        "affiliations-0-is_current": "on",
        "affiliations-0-order": "0",
    }
    response = post_form(
        reviewer_client, reverse("admin:people_person_change", args=[person.pk]), data
    )
    assert response.status_code == 302, response.context["errors"]
    revision = revisions_of(Person.objects.get(pk=person.pk)).get().revision
    models = sorted(v._model.__name__ for v in revision.version_set.all())
    assert models == ["Affiliation", "Person"]

    poll = make_poll(answers=("Yes", "No"))
    choices = list(poll.choices.order_by("order"))
    data = {
        "question": "Renewed?",
        "question_ru": "",
        "slug": poll.slug,
        "description": "",
        "description_ru": "",
        "is_published": "on",
        "opens_at_0": "2026-01-01",
        "opens_at_1": "10:00:00",
        "closes_at_0": "",
        "closes_at_1": "",
        "results_visibility": poll.results_visibility,
        "placement": poll.placement,
        "choices-TOTAL_FORMS": "2",
        "choices-INITIAL_FORMS": "2",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, choice in enumerate(choices):
        data[f"choices-{i}-id"] = str(choice.pk)
        data[f"choices-{i}-poll"] = str(poll.pk)
        data[f"choices-{i}-order"] = str(2 - i)
        data[f"choices-{i}-text"] = choice.text
        data[f"choices-{i}-text_ru"] = ""
    response = post_form(reviewer_client, reverse("admin:polls_poll_change", args=[poll.pk]), data)
    assert response.status_code == 302, response.context["errors"]
    revision = revisions_of(Poll.objects.get(pk=poll.pk)).get().revision
    assert sorted(v._model.__name__ for v in revision.version_set.all()) == [
        "Choice",
        "Choice",
        "Poll",
    ]


@pytest.mark.slow
def test_compare_shows_author_order_tags_and_replaced_files_in_both_languages(
    reviewer_client, report, django_assert_num_queries
):
    publication, first, second, topic = report
    attachment = make_attachment(publication)
    old_file = attachment.file.name
    post_form(reviewer_client, change_url(publication), change_form(publication))
    other_topic = make_topic(name="Cyber security")
    data = change_form(
        publication,
        authors=[second, first],
        topics=[str(other_topic.pk)],
        files={"replace": {attachment.pk: pdf_upload("revised.pdf")}},
    )
    assert post_form(reviewer_client, change_url(publication), data).status_code == 302
    newest, older = [v.revision_id for v in revisions_of(publication)[:2]]
    url = reverse("admin:publications_publication_compare", args=[publication.pk])
    response = reviewer_client.get(url, {"old": older, "new": newest})
    assert response.status_code == 200
    rows = {row.label: row for row in response.context["rows"]}
    authors = rows["Authors, in byline order"]
    assert authors.changed
    assert authors.old.index("Chalmers") < authors.old.index("Kortunov")
    assert authors.new.index("Kortunov") < authors.new.index("Chalmers")
    assert rows["Topics"].changed
    assert "Arms control" in rows["Topics"].old and "Cyber security" in rows["Topics"].new
    assert rows["Attachments"].changed
    assert old_file.rsplit("/", 1)[-1] in rows["Attachments"].old
    assert "revised" in rows["Attachments"].new
    assert not rows["Title"].changed
    assert default_storage.exists(old_file)  # the replaced PDF is kept

    page = reviewer_client.get(url, {"old": older, "new": newest}, HTTP_ACCEPT_LANGUAGE="ru")
    text = page.content.decode()
    assert "Авторы в порядке подписи" in text
    assert "изменено" in text

    # (two of them: the second factor of the session and its fence, as on every staff page)
    with django_assert_num_queries(14):
        reviewer_client.get(url, {"old": older, "new": newest})


@pytest.mark.parametrize("query", [{"old": "junk"}, {"old": "999999"}, {"old": "live", "new": "x"}])
def test_compare_with_a_revision_of_something_else_is_404(reviewer_client, report, query):
    publication = report[0]
    url = reverse("admin:publications_publication_compare", args=[publication.pk])
    assert reviewer_client.get(url, query).status_code == 404


def test_history_lists_revisions_with_user_and_comment(reviewer_client, report):
    publication = report[0]
    post_form(
        reviewer_client, change_url(publication), change_form(publication, title="Second title")
    )
    response = reviewer_client.get(
        reverse("admin:publications_publication_history", args=[publication.pk])
    )
    assert response.status_code == 200
    assert "reviewer" in response.content.decode()
    assert len(response.context["versions"]) == 1


@pytest.mark.slow
def test_restore_brings_back_title_author_order_tags_pdf_and_banner(
    reviewer_client, report, django_capture_on_commit_callbacks
):
    publication, first, second, topic = report
    make_attachment(publication)
    post_form(
        reviewer_client,
        change_url(publication),
        change_form(publication, banner_image=png_upload("first.png")),
    )
    publication.refresh_from_db()
    old_banner = publication.banner_image.name
    old_pdf = publication.attachments.get().file.name
    first_revision = revisions_of(publication).first().revision
    other = make_topic(name="Cyber security")
    attachment = publication.attachments.get()
    data = change_form(
        publication,
        title="A new title",
        authors=[second, first],
        topics=[str(other.pk)],
        banner_image=png_upload("second.png"),
        files={"replace": {attachment.pk: pdf_upload("revised.pdf")}},
    )
    assert post_form(reviewer_client, change_url(publication), data).status_code == 302
    Attachment.objects.filter(pk=attachment.pk).update(download_count=7)
    publication.refresh_from_db()
    assert publication.banner_image.name != old_banner
    version = revisions_of(publication).get(revision=first_revision)
    url = reverse("admin:publications_publication_revision", args=[publication.pk, version.pk])
    page = reviewer_client.get(url)
    assert page.status_code == 200
    assert "Restore this revision" in page.content.decode()

    cached = content_version()
    before = Revision.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(reviewer_client, url, {})
    assert response.status_code == 302
    assert Revision.objects.count() == before + 1  # recorded as a new revision
    publication.refresh_from_db()
    assert publication.title == "Managing Security Relations"
    assert [a.person for a in publication.authorships.order_by("order")] == [first, second]
    assert list(publication.topics.all()) == [topic]
    assert publication.banner_image.name == old_banner
    assert default_storage.exists(old_banner)
    restored = publication.attachments.get()
    assert restored.file.name == old_pdf and default_storage.exists(old_pdf)
    assert restored.download_count == 7  # readers' downloads are not taken back
    assert content_version() > cached
    newest = revisions_of(publication).first().revision
    assert "Restored the revision" in describe(newest)
    with translation.override("ru"):  # the comment reads in the language of the reader
        assert "Восстановлена версия" in describe(newest)
    assert newest.user.username == "reviewer"
    audit = Entry.objects.get(action="restored")
    assert (audit.actor_name, audit.object_id) == ("reviewer", str(publication.pk))
    assert audit.object_label == "Managing Security Relations"


def test_restore_that_refers_to_a_deleted_person_or_topic_explains(reviewer_client, report):
    publication, first, second, topic = report
    gone = make_person(given_name="Mark", family_name="Galeotti")
    post_form(
        reviewer_client,
        change_url(publication),
        change_form(publication, authors=[first, second, gone]),
    )
    version = revisions_of(publication).first()
    post_form(
        reviewer_client,
        change_url(publication),
        change_form(publication, authors=[first], topics=[]),
    )
    # Both were saved once in the admin (as editors create them), so their names are known.

    for obj in (gone, topic):
        with reversion.create_revision():
            reversion.add_to_revision(obj)
    gone.delete()
    topic.delete()
    url = reverse("admin:publications_publication_revision", args=[publication.pk, version.pk])
    page = reviewer_client.get(url)
    assert page.status_code == 200
    assert "Restore this revision" not in page.content.decode()
    response = reviewer_client.post(url, {LOADED: page.context["desk_loaded"]})
    assert response.status_code == 400
    text = response.content.decode()
    assert "The author Mark Galeotti has been deleted since." in text
    assert "The topic Arms control has been deleted since." in text
    publication.refresh_from_db()
    assert [a.person for a in publication.authorships.all()] == [first]


def test_recover_a_deleted_publication_with_its_authors_and_tags(
    reviewer_client, report, django_capture_on_commit_callbacks
):
    publication, first, second, topic = report
    post_form(reviewer_client, change_url(publication), change_form(publication))
    pk = publication.pk
    authorships = list(publication.authorships.order_by("order").values_list("pk", "person_id"))
    delete = reverse("admin:publications_publication_delete", args=[pk])
    assert reviewer_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Publication.objects.filter(pk=pk).exists()
    listing = reviewer_client.get(reverse("admin:publications_publication_recoverlist"))
    assert "Managing Security Relations" in listing.content.decode()
    version = Version.objects.get_deleted(Publication).get(object_id=str(pk))
    url = reverse("admin:publications_publication_recover", args=[version.pk])
    page = reviewer_client.get(url)
    assert page.status_code == 200
    assert not Publication.objects.filter(pk=pk).exists()  # looking changes nothing
    data = {
        "kind": publication.kind,
        "title": publication.title,
        "subtitle": "",
        "slug": publication.slug,
        "summary": publication.summary,
        "body": publication.body,
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "language": "en",
        "banner_alt": "",
        "banner_caption": "",
        "banner_credit": "",
        "topics": [str(topic.pk)],
        "authorships-TOTAL_FORMS": str(len(authorships)),
        "authorships-INITIAL_FORMS": str(len(authorships)),
        "authorships-MIN_NUM_FORMS": "0",
        "authorships-MAX_NUM_FORMS": "1000",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
    }
    for i, (authorship_pk, person_pk) in enumerate(authorships):
        data[f"authorships-{i}-id"] = str(authorship_pk)
        data[f"authorships-{i}-publication"] = str(pk)
        data[f"authorships-{i}-person"] = str(person_pk)
        data[f"authorships-{i}-order"] = str(i + 1)
        data[f"authorships-{i}-byline_position"] = ""
        data[f"authorships-{i}-byline_position_ru"] = ""
    cached = content_version()
    with django_capture_on_commit_callbacks(execute=True):  # the save commits
        response = post_form(reviewer_client, url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    recovered = Publication.objects.get(pk=pk)
    assert [a.person for a in recovered.authorships.order_by("order")] == [first, second]
    assert list(recovered.topics.all()) == [topic]
    assert content_version() > cached


@pytest.mark.parametrize("kind", ["person", "poll"])
def test_recover_a_deleted_person_or_poll(reviewer_client, kind):

    model, obj = (Person, make_person()) if kind == "person" else (Poll, make_poll())
    info = model._meta.app_label, model._meta.model_name
    # One revision exists once the object has been saved in the admin (or recorded by hand).

    with reversion.create_revision():
        reversion.add_to_revision(obj)
    pk = obj.pk
    delete = reverse("admin:{}_{}_delete".format(*info), args=[pk])
    assert reviewer_client.post(delete, {"post": "yes"}).status_code == 302
    version = Version.objects.get_deleted(model).get(object_id=str(pk))
    listing = reviewer_client.get(reverse("admin:{}_{}_recoverlist".format(*info)))
    assert str(obj) in listing.content.decode()
    page = reviewer_client.get(reverse("admin:{}_{}_recover".format(*info), args=[version.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: posted(form[name].value()) for name in form.fields}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management[f].html_name: management[f].value() for f in management.fields})
        for inline_form in formset.formset.forms:
            data.update(
                {
                    inline_form[f].html_name: posted(inline_form[f].value())
                    for f in inline_form.fields
                }
            )
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    for key, value in list(data.items()):
        if hasattr(value, "strftime"):
            data.pop(key)
            data[key + "_0"] = value.strftime("%Y-%m-%d")
            data[key + "_1"] = value.strftime("%H:%M:%S")
    response = post_form(
        reviewer_client, reverse("admin:{}_{}_recover".format(*info), args=[version.pk]), data
    )
    assert response.status_code == 302, response.context and response.context.get("errors")
    assert model.objects.filter(pk=pk).exists()


def posted(value):
    """A bound field's value as a browser posts it back."""
    if value is None or (hasattr(value, "field") and not value):  # no value, or no file
        return ""
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return value


def test_restore_reverts_the_related_set_and_history_shows_old_tags(
    reviewer_client, report, django_capture_on_commit_callbacks
):
    """The gaps named in simple-history #1161 (a restore leaves inline rows as they are now)
    and #1063 (an old version shows today's many-to-many): absent here."""
    publication, first, second, topic = report
    post_form(reviewer_client, change_url(publication), change_form(publication))
    version = revisions_of(publication).first()
    third = make_person(family_name="Galeotti")
    other = make_topic(name="Cyber security")
    data = change_form(publication, authors=[third, second], topics=[str(other.pk)])
    assert post_form(reviewer_client, change_url(publication), data).status_code == 302
    old = version.revision.version_set.get(
        object_id=str(publication.pk), content_type__model="publication"
    )
    assert old.field_dict["topics"] == [topic.pk]  # the old revision keeps its own tags
    url = reverse("admin:publications_publication_revision", args=[publication.pk, version.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert post_form(reviewer_client, url, {}).status_code == 302
    assert [a.person for a in publication.authorships.order_by("order")] == [first, second]
    assert list(publication.topics.all()) == [topic]


def test_a_removed_attachment_keeps_its_file_and_a_restore_brings_it_back(reviewer_client, report):
    publication = report[0]
    attachment = make_attachment(publication)
    name = attachment.file.name
    post_form(reviewer_client, change_url(publication), change_form(publication))
    version = revisions_of(publication).first()
    data = change_form(publication)
    data["attachments-0-DELETE"] = "on"
    assert post_form(reviewer_client, change_url(publication), data).status_code == 302
    assert not publication.attachments.exists()
    assert default_storage.exists(name)  # nothing deletes a file a revision refers to
    url = reverse("admin:publications_publication_revision", args=[publication.pk, version.pk])
    assert post_form(reviewer_client, url, {}).status_code == 302
    restored = publication.attachments.get()
    assert (restored.pk, restored.file.name) == (attachment.pk, name)
    assert reviewer_client.get(restored.get_absolute_url()).status_code == 200

"""No silent overwrite: a change form loaded before someone else's save answers 409 with
both versions and a choice per field, keeps what the editor typed, and saves the merge."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import reversion
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from reversion.models import Version

from dialogue_portal.desk.conflicts import KEEP, LOADED, ConflictCheck
from dialogue_portal.desk.history import Snapshot
from dialogue_portal.desk.models import Decision, Proposal
from dialogue_portal.newsletter.models import Issue
from dialogue_portal.pages.models import Page
from dialogue_portal.redirects.models import Redirect
from dialogue_portal.staff.models import AdminProfile
from people.models import Affiliation, Person
from polls.models import Poll
from publications.models import Publication
from tests.desk.helpers import form_data
from tests.factories import (
    make_institution,
    make_person,
    make_poll,
    make_publication,
    make_topic,
)

pytestmark = pytest.mark.django_db


def staff(django_user_model, username, *, first_name="", reviewer=False, language=None):
    user = django_user_model.objects.create_user(
        username, f"{username}@example.org", "pw-123-secret!", is_staff=True, first_name=first_name
    )
    names = ["Editors", "Reviewers"] if reviewer else ["Editors"]
    user.groups.add(*Group.objects.filter(name__in=names))
    if language:
        AdminProfile.objects.create(user=user, admin_language=language)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def anna(django_user_model, editorial_groups):
    return staff(django_user_model, "anna", first_name="Anna", reviewer=True)


@pytest.fixture
def boris(django_user_model, editorial_groups):
    return staff(django_user_model, "boris", first_name="Boris", reviewer=True)


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def keep_choices(response):
    """{radio name: the value checked} on a conflict page."""
    html = response.content.decode()
    found = {}
    radio = r'<input type="radio" name="(_desk_keep_[^"]+)" value="(\w+)"([^>]*)>'
    for match in re.finditer(radio, html):
        name, value, rest = match.groups()
        found.setdefault(name, None)
        if "checked" in rest:
            found[name] = value
    return found


def save(client, url, data):
    return client.post(url, data)


def test_a_save_from_a_stale_draft_form_is_a_conflict_and_the_choices_merge(
    anna, boris, django_capture_on_commit_callbacks
):
    draft = make_publication(
        title="Original title", summary="Original summary.", status="draft", published_at=None
    )
    url = change_url(draft)
    form_a, form_b = anna.get(url), boris.get(url)
    assert LOADED.encode() in form_b.content

    with django_capture_on_commit_callbacks(execute=True):
        assert save(anna, url, form_data(form_a, title="Anna's title")).status_code == 302
    stale = form_data(form_b, summary="Boris's summary.")
    conflict = save(boris, url, stale)

    assert conflict.status_code == 409
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("Anna's title", "Original summary.")
    html = conflict.content.decode()
    assert "Changed since you opened this form" in html
    assert "Anna" in html  # who saved it
    # Both versions, field by field; what Boris typed is still in the form.
    assert "Anna&#x27;s" in html and "Original" in html
    assert 'value="Boris&#x27;s summary."' in html or "Boris&#x27;s summary." in html
    # Anna changed the title, Boris the summary: the choices follow who changed what.
    assert keep_choices(conflict) == {KEEP + "title": "theirs", KEEP + "summary": "mine"}

    with django_capture_on_commit_callbacks(execute=True):
        merged = save(boris, url, form_data(conflict))
    assert merged.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("Anna's title", "Boris's summary.")


def test_keep_mine_puts_the_editors_value_over_theirs(anna, boris):
    draft = make_publication(title="Original", status="draft", published_at=None)
    url = change_url(draft)
    form_a, form_b = anna.get(url), boris.get(url)
    save(anna, url, form_data(form_a, title="Anna's"))
    conflict = save(boris, url, form_data(form_b, title="Boris's"))
    assert keep_choices(conflict) == {KEEP + "title": "mine"}  # changed on both sides
    assert "changed on both sides" in conflict.content.decode()
    assert save(boris, url, form_data(conflict)).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Boris's"


def test_a_third_save_in_between_is_a_new_conflict(anna, boris):
    draft = make_publication(title="One", summary="S.", status="draft", published_at=None)
    url = change_url(draft)
    form_a, form_b = anna.get(url), boris.get(url)
    save(anna, url, form_data(form_a, title="Two"))
    conflict = save(boris, url, form_data(form_b, summary="Boris."))
    assert conflict.status_code == 409
    save(anna, url, form_data(anna.get(url), title="Three"))
    again = save(boris, url, form_data(conflict))
    assert again.status_code == 409
    assert keep_choices(again)[KEEP + "title"] == "theirs"
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("Three", "S.")
    assert save(boris, url, form_data(again)).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("Three", "Boris.")


def test_authors_and_tags_compare_row_by_row_and_keep_theirs(anna, boris):
    first, second = make_person(family_name="First"), make_person(family_name="Second")
    arms, trade = make_topic(name="Arms"), make_topic(name="Trade")
    draft = make_publication(
        title="Report",
        status="draft",
        published_at=None,
        authors=[first, second],
        topics=[arms, trade],
    )
    url = change_url(draft)
    form_a, form_b = anna.get(url), boris.get(url)
    rows = list(draft.authorships.order_by("order"))
    # Anna swaps the authors and drops a tag.
    changes = {
        "authorships-0-order": "2",
        "authorships-1-order": "1",
        "topics": [str(arms.pk)],
    }
    assert save(anna, url, form_data(form_a, **changes)).status_code == 302
    conflict = save(boris, url, form_data(form_b, title="Boris's report"))
    assert conflict.status_code == 409
    choices = keep_choices(conflict)
    assert choices[KEEP + "title"] == "mine"
    assert choices[KEEP + "topics"] == "theirs"
    assert choices[KEEP + "inline-authorships"] == "theirs"
    html = conflict.content.decode()
    assert "Trade" in html  # the tag Boris's form still has
    assert str(rows[0]) in html  # the authors row by row
    assert save(boris, url, form_data(conflict)).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Boris's report"
    assert list(draft.topics.all()) == [arms]
    assert [a.person for a in draft.authorships.order_by("order")] == [second, first]


def test_keep_mine_for_an_inline_saves_the_editors_rows(anna, boris):
    first, second = make_person(family_name="First"), make_person(family_name="Second")
    draft = make_publication(status="draft", published_at=None, authors=[first, second])
    url = change_url(draft)
    form_a, form_b = anna.get(url), boris.get(url)
    save(anna, url, form_data(form_a, **{"authorships-0-order": "3"}))
    conflict = save(boris, url, form_data(form_b, **{"authorships-1-DELETE": "on"}))
    assert keep_choices(conflict)[KEEP + "inline-authorships"] == "mine"
    assert save(boris, url, form_data(conflict)).status_code == 302
    assert [a.person for a in draft.authorships.all()] == [first]


def test_a_second_proposal_from_a_stale_form_does_not_replace_the_first(
    django_user_model, editorial_groups
):
    live = make_publication(title="Live title", summary="Live summary.")
    first = staff(django_user_model, "vera", first_name="Vera")
    second = staff(django_user_model, "gleb", first_name="Gleb")
    url = change_url(live)
    form_1, form_2 = first.get(url), second.get(url)
    assert save(first, url, form_data(form_1, title="Vera's title")).status_code == 302
    assert Proposal.objects.get().title == "Vera's title"

    conflict = save(second, url, form_data(form_2, summary="Gleb's summary."))
    assert conflict.status_code == 409
    assert "Vera" in conflict.content.decode()
    proposal = Proposal.objects.get()
    assert proposal.created_by.username == "vera"
    assert Decision.objects.filter(action=Decision.Action.PROPOSED).count() == 1
    assert keep_choices(conflict) == {KEEP + "title": "theirs", KEEP + "summary": "mine"}

    assert save(second, url, form_data(conflict)).status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.title == "Vera's title"
    proposed = Snapshot.from_serialized(proposal.versions, live.pk).publication
    assert (proposed.title, proposed.summary) == ("Vera's title", "Gleb's summary.")
    live.refresh_from_db()
    assert (live.title, live.summary) == ("Live title", "Live summary.")  # readers: unchanged


def test_a_person_with_affiliations(anna, boris):
    person = make_person(family_name="Ivanova", position="Fellow")
    Affiliation.objects.create(person=person, institution=make_institution(), role="Fellow")
    url = change_url(person)
    form_a, form_b = anna.get(url), boris.get(url)
    director = form_data(form_a, **{"affiliations-0-role": "Director"})
    assert save(anna, url, director).status_code == 302
    conflict = save(boris, url, form_data(form_b, position="Senior fellow"))
    assert conflict.status_code == 409
    assert keep_choices(conflict) == {
        KEEP + "position": "mine",
        KEEP + "inline-affiliations": "theirs",
    }
    assert "Director" in conflict.content.decode()
    assert save(boris, url, form_data(conflict)).status_code == 302
    person = Person.objects.get(pk=person.pk)
    assert person.position == "Senior fellow"
    assert person.affiliations.get().role == "Director"


def test_a_poll_with_choices(anna, boris):
    poll = make_poll(question="Will talks resume?", answers=("Yes", "No"))
    url = change_url(poll)
    form_a, form_b = anna.get(url), boris.get(url)
    assert save(anna, url, form_data(form_a, **{"choices-1-text": "Not yet"})).status_code == 302
    conflict = save(boris, url, form_data(form_b, question="Will the talks resume?"))
    assert conflict.status_code == 409
    assert "Not yet" in conflict.content.decode()
    assert save(boris, url, form_data(conflict)).status_code == 302
    poll = Poll.objects.get(pk=poll.pk)
    assert poll.question == "Will the talks resume?"
    assert sorted(poll.choices.values_list("text", flat=True)) == ["Not yet", "Yes"]


def test_a_page(anna, boris):
    page = Page.objects.create(slug="about-us", title="About", summary="Who we are.", language="en")
    url = change_url(page)
    form_a, form_b = anna.get(url), boris.get(url)
    assert save(anna, url, form_data(form_a, title="About us")).status_code == 302
    conflict = save(boris, url, form_data(form_b, summary="Who we are, and why."))
    assert conflict.status_code == 409
    assert save(boris, url, form_data(conflict)).status_code == 302
    page.refresh_from_db()
    assert (page.title, page.summary) == ("About us", "Who we are, and why.")


def test_a_newsletter_issue(anna, boris):
    issue = Issue.objects.create(subject="November", slug="november", body="First draft.")
    url = change_url(issue)
    form_a, form_b = anna.get(url), boris.get(url)
    assert save(anna, url, form_data(form_a, subject="November news")).status_code == 302
    conflict = save(boris, url, form_data(form_b, body="Second draft."))
    assert conflict.status_code == 409
    assert save(boris, url, form_data(conflict)).status_code == 302
    issue.refresh_from_db()
    assert (issue.subject, issue.body) == ("November news", "Second draft.")


def test_a_redirect(anna, boris):
    redirect = Redirect.objects.create(old_path="/old/", target="/new/", status=301)
    url = change_url(redirect)
    form_a, form_b = anna.get(url), boris.get(url)
    assert save(anna, url, form_data(form_a, target="/newer/")).status_code == 302
    conflict = save(boris, url, form_data(form_b, note="From the old site."))
    assert conflict.status_code == 409
    assert save(boris, url, form_data(conflict)).status_code == 302
    redirect.refresh_from_db()
    assert (redirect.target, redirect.note) == ("/newer/", "From the old site.")


def test_an_unchanged_object_saves_at_once(anna):
    draft = make_publication(title="Same", status="draft", published_at=None)
    url = change_url(draft)
    assert save(anna, url, form_data(anna.get(url), title="Changed")).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Changed"


def test_readers_counts_make_no_conflict(anna):
    draft = make_publication(title="Same", status="draft", published_at=None)
    url = change_url(draft)
    form = anna.get(url)
    Publication.objects.filter(pk=draft.pk).update(view_count=99, rating_count=1, rating_sum=5)
    assert save(anna, url, form_data(form, title="Changed")).status_code == 302


@pytest.mark.parametrize("token", ["forged", ""])
def test_a_forged_or_foreign_token_is_a_conflict_with_no_choice_made(anna, token):
    draft = make_publication(title="T", status="draft", published_at=None)
    other = make_publication(title="Other", status="draft", published_at=None)
    url = change_url(draft)
    data = form_data(anna.get(url), title="New")
    data[LOADED] = token or form_data(anna.get(change_url(other)))[LOADED]
    conflict = save(anna, url, data)
    assert conflict.status_code == 409
    assert "no choice is made for you" in conflict.content.decode()
    draft.refresh_from_db()
    assert draft.title == "T"


def test_the_conflict_page_in_russian(django_user_model, editorial_groups, anna):
    ivan = staff(django_user_model, "ivan", first_name="Иван", reviewer=True, language="ru")
    draft = make_publication(title="Доклад", status="draft", published_at=None)
    url = change_url(draft)
    form_a, form_i = anna.get(url), ivan.get(url)
    save(anna, url, form_data(form_a, title="Доклад 2"))
    conflict = save(ivan, url, form_data(form_i, summary="Новое."))
    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert "Изменено с тех пор, как вы открыли эту форму" in html
    assert "Оставить мою" in html and "Оставить их" in html


# Restores -------------------------------------------------------------------------------------


def test_a_restore_from_a_stale_page_restores_nothing(anna, boris):
    draft = make_publication(title="First", status="draft", published_at=None)
    with reversion.create_revision():
        reversion.add_to_revision(draft)
    url = change_url(draft)
    save(anna, url, form_data(anna.get(url), title="Second"))
    old = Version.objects.get_for_object(draft).last()
    restore_url = reverse("admin:publications_publication_revision", args=[draft.pk, old.pk])
    page = boris.get(restore_url)
    token = re.search(rf'name="{LOADED}" value="([^"]+)"', page.content.decode()).group(1)
    save(anna, url, form_data(anna.get(url), title="Third"))

    stale = boris.post(restore_url, {LOADED: token})
    assert stale.status_code == 409
    assert "changed since you opened this page" in stale.content.decode()
    draft.refresh_from_db()
    assert draft.title == "Third"
    fresh = re.search(rf'name="{LOADED}" value="([^"]+)"', stale.content.decode()).group(1)
    assert boris.post(restore_url, {LOADED: fresh}).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "First"


def test_a_proposed_restore_from_a_stale_page_does_not_replace_a_proposal(
    django_user_model, editorial_groups
):
    live = make_publication(title="Live")
    editor = staff(django_user_model, "vera", first_name="Vera")
    other = staff(django_user_model, "gleb", first_name="Gleb")
    url = change_url(live)
    save(other, url, form_data(other.get(url), title="Live, revised"))  # recorded, proposed
    with reversion.create_revision():
        reversion.add_to_revision(live)
    version = Version.objects.get_for_object(live).first()
    restore_url = reverse("admin:publications_publication_revision", args=[live.pk, version.pk])
    page = editor.get(restore_url)
    token = re.search(rf'name="{LOADED}" value="([^"]+)"', page.content.decode()).group(1)
    save(other, url, form_data(other.get(url), summary="Gleb's second thought."))
    assert editor.post(restore_url, {LOADED: token}).status_code == 409
    proposed = Snapshot.from_serialized(Proposal.objects.get().versions, live.pk).publication
    assert proposed.summary == "Gleb's second thought."


# Who else has it open ---------------------------------------------------------------------


def presence_url(obj):
    info = f"admin:{obj._meta.app_label}_{obj._meta.model_name}_presence"
    return reverse(info, args=[obj.pk])


def test_the_form_says_who_else_has_it_open(anna, boris):
    person = make_person(family_name="Ivanova")
    beat = anna.post(presence_url(person))
    assert beat.status_code == 200
    assert beat.json()["others"] == []
    assert "no-store" in beat["Cache-Control"]

    page = boris.get(change_url(person))
    assert "Anna also has this form open." in page.content.decode()
    assert boris.post(presence_url(person)).json() == {
        "others": ["Anna"],
        "text": "Anna also has this form open.",
        "every": 30,
    }
    assert anna.post(presence_url(person)).json()["others"] == ["Boris"]
    # Their own name is never listed to them.
    own = anna.get(change_url(person)).content.decode()
    assert "Boris also has this form open." in own and "Anna also" not in own


def test_presence_expires_and_leaving_takes_one_off(anna, boris, clock):
    page = Page.objects.create(slug="about", title="About", language="en")
    anna.post(presence_url(page))
    assert boris.post(presence_url(page)).json()["others"] == ["Anna"]
    clock.shift(91)
    assert boris.post(presence_url(page)).json()["others"] == []
    anna.post(presence_url(page))
    anna.post(presence_url(page), {"leave": "1"})
    assert boris.post(presence_url(page)).json()["others"] == []


def test_a_get_writes_no_presence(anna, boris):
    person = make_person()
    assert anna.get(presence_url(person)).status_code == 405
    anna.get(change_url(person))
    assert boris.post(presence_url(person)).json()["others"] == []


def test_presence_needs_csrf_and_permission(django_user_model, editorial_groups, anna):
    person = make_person()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(django_user_model.objects.get(username="anna"))
    assert strict.post(presence_url(person)).status_code == 403
    nobody = django_user_model.objects.create_user("nobody", is_staff=True)
    client = Client()
    client.force_login(nobody)
    assert client.post(presence_url(person)).status_code == 403
    assert anna.post(presence_url(person).replace(f"/{person.pk}/", "/999999/")).status_code in (
        302,
        404,
    )


def test_presence_in_russian(django_user_model, editorial_groups, anna):
    ivan = staff(django_user_model, "ivan", first_name="Иван", reviewer=True, language="ru")
    person = make_person()
    anna.post(presence_url(person))
    assert "Anna тоже открыл(а) эту форму." in ivan.get(change_url(person)).content.decode()


def test_every_admin_an_editor_may_change_checks_for_conflicts(editor):
    """A new admin of content cannot be added without the check."""
    request = RequestFactory().get("/admin/")
    request.user = editor
    changeable = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_change_permission(request)
    ]
    assert "publications.Publication" in changeable and "pages.Page" in changeable
    unchecked = [
        label
        for label in changeable
        if not isinstance(admin.site.get_model_admin(apps.get_model(label)), ConflictCheck)
    ]
    assert unchecked == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_stale_saves_at_the_same_moment_keep_exactly_one(django_user_model, editorial_groups):
    """Eight editors save one loaded state at once: one save wins, seven get the conflict
    page (the check runs with the row locked, inside the saving transaction)."""
    draft = make_publication(title="Original", status="draft", published_at=None)
    url = change_url(draft)
    clients = [
        staff(django_user_model, f"editor{i}", first_name=f"Editor {i}", reviewer=True)
        for i in range(8)
    ]
    loaded = clients[0].get(url)
    start = threading.Barrier(len(clients))

    def save_at_once(index):
        try:
            data = form_data(loaded, title=f"Title {index}")
            start.wait(timeout=30)
            return clients[index].post(url, data).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        statuses = list(pool.map(save_at_once, range(len(clients))))
    assert sorted(statuses) == [302] + [409] * 7
    draft.refresh_from_db()
    assert draft.title == f"Title {statuses.index(302)}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_stale_proposals_at_the_same_moment_keep_exactly_one(django_user_model, editorial_groups):
    live = make_publication(title="Live")
    url = change_url(live)
    clients = [staff(django_user_model, f"editor{i}") for i in range(6)]
    loaded = clients[0].get(url)
    start = threading.Barrier(len(clients))

    def propose_at_once(index):
        try:
            data = form_data(loaded, title=f"Proposed {index}")
            start.wait(timeout=30)
            return clients[index].post(url, data).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        statuses = list(pool.map(propose_at_once, range(len(clients))))
    assert sorted(statuses) == [302] + [409] * 5
    assert Proposal.objects.get().title == f"Proposed {statuses.index(302)}"
    assert Decision.objects.filter(action=Decision.Action.PROPOSED).count() == 1


def test_choices_survive_another_fields_error(anna, boris):
    draft = make_publication(title="One", summary="S.", status="draft", published_at=None)
    url = change_url(draft)
    form_a, form_b = anna.get(url), boris.get(url)
    save(anna, url, form_data(form_a, title="Anna's"))
    conflict = save(boris, url, form_data(form_b, summary="Boris."))
    refused = save(boris, url, form_data(conflict, slug="not a slug!"))
    assert refused.status_code == 200  # the slug's error, no conflict
    assert f'name="{KEEP}title" value="theirs"' in refused.content.decode()
    assert save(boris, url, form_data(refused, slug="one")).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.summary, draft.slug) == ("Anna's", "Boris.", "one")


def test_a_conflict_with_nothing_to_choose_says_so(anna):
    draft = make_publication(title="T", status="draft", published_at=None)
    url = change_url(draft)
    data = form_data(anna.get(url))
    data[LOADED] = "forged"
    conflict = save(anna, url, data)
    assert conflict.status_code == 409
    assert "Nothing you can change in this form differs" in conflict.content.decode()
    assert keep_choices(conflict) == {}
    assert save(anna, url, form_data(conflict)).status_code == 302

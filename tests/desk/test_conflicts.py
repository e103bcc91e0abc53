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
    make_programme,
    make_project,
    make_publication,
    make_region,
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


def post_at_once(clients, url, loaded, field, value):
    """Each client posts the form ``loaded`` (as the first client opened it) at the same
    moment, with ``field`` set to ``value`` and its own index; their status codes, in
    client order."""
    start = threading.Barrier(len(clients))

    def post(index):
        try:
            data = form_data(loaded, **{field: value.format(index)})
            start.wait(timeout=30)
            return clients[index].post(url, data).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return list(pool.map(post, range(len(clients))))


def open_save_conflict(first, second, obj, *, theirs, mine):
    """``first`` and ``second`` open ``obj``'s change form; ``first`` saves it with the
    changes ``theirs``, then ``second`` saves ``mine`` from the form opened before: the
    change form's address and ``second``'s answer."""
    url = change_url(obj)
    form_first, form_second = first.get(url), second.get(url)
    assert save(first, url, form_data(form_first, **theirs)).status_code == 302
    return url, save(second, url, form_data(form_second, **mine))


@pytest.mark.slow
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


@pytest.mark.slow
def test_keep_mine_puts_the_editors_value_over_theirs(anna, boris):
    draft = make_publication(title="Original", status="draft", published_at=None)
    url, conflict = open_save_conflict(
        anna, boris, draft, theirs={"title": "Anna's"}, mine={"title": "Boris's"}
    )
    assert keep_choices(conflict) == {KEEP + "title": "mine"}  # changed on both sides
    assert "changed on both sides" in conflict.content.decode()
    assert save(boris, url, form_data(conflict)).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Boris's"


@pytest.mark.slow
def test_a_third_save_in_between_is_a_new_conflict(anna, boris):
    draft = make_publication(title="One", summary="S.", status="draft", published_at=None)
    url, conflict = open_save_conflict(
        anna, boris, draft, theirs={"title": "Two"}, mine={"summary": "Boris."}
    )
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


@pytest.mark.slow
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
    rows = list(draft.authorships.order_by("order"))
    # Anna swaps the authors and drops a tag.
    changes = {
        "authorships-0-order": "2",
        "authorships-1-order": "1",
        "topics": [str(arms.pk)],
    }
    url, conflict = open_save_conflict(
        anna, boris, draft, theirs=changes, mine={"title": "Boris's report"}
    )
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


@pytest.mark.slow
def test_keep_mine_for_an_inline_saves_the_editors_rows(anna, boris):
    first, second = make_person(family_name="First"), make_person(family_name="Second")
    draft = make_publication(status="draft", published_at=None, authors=[first, second])
    url, conflict = open_save_conflict(
        anna,
        boris,
        draft,
        theirs={"authorships-0-order": "3"},
        mine={"authorships-1-DELETE": "on"},
    )
    assert keep_choices(conflict)[KEEP + "inline-authorships"] == "mine"
    assert save(boris, url, form_data(conflict)).status_code == 302
    assert [a.person for a in draft.authorships.all()] == [first]


@pytest.mark.slow
def test_a_second_proposal_from_a_stale_form_does_not_replace_the_first(
    django_user_model, editorial_groups
):
    live = make_publication(title="Live title", summary="Live summary.")
    first = staff(django_user_model, "vera", first_name="Vera")
    second = staff(django_user_model, "gleb", first_name="Gleb")
    url, conflict = open_save_conflict(
        first, second, live, theirs={"title": "Vera's title"}, mine={"summary": "Gleb's summary."}
    )
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
    url, conflict = open_save_conflict(
        anna,
        boris,
        person,
        theirs={"affiliations-0-role": "Director"},
        mine={"position": "Senior fellow"},
    )
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
    url, conflict = open_save_conflict(
        anna,
        boris,
        poll,
        theirs={"choices-1-text": "Not yet"},
        mine={"question": "Will the talks resume?"},
    )
    assert conflict.status_code == 409
    assert "Not yet" in conflict.content.decode()
    assert save(boris, url, form_data(conflict)).status_code == 302
    poll = Poll.objects.get(pk=poll.pk)
    assert poll.question == "Will the talks resume?"
    assert sorted(poll.choices.values_list("text", flat=True)) == ["Not yet", "Yes"]


def test_a_page(anna, boris):
    page = Page.objects.create(slug="about-us", title="About", summary="Who we are.", language="en")
    url, conflict = open_save_conflict(
        anna, boris, page, theirs={"title": "About us"}, mine={"summary": "Who we are, and why."}
    )
    assert conflict.status_code == 409
    assert save(boris, url, form_data(conflict)).status_code == 302
    page.refresh_from_db()
    assert (page.title, page.summary) == ("About us", "Who we are, and why.")


def test_a_newsletter_issue(anna, boris):
    issue = Issue.objects.create(subject="November", slug="november", body="First draft.")
    url, conflict = open_save_conflict(
        anna, boris, issue, theirs={"subject": "November news"}, mine={"body": "Second draft."}
    )
    assert conflict.status_code == 409
    assert save(boris, url, form_data(conflict)).status_code == 302
    issue.refresh_from_db()
    assert (issue.subject, issue.body) == ("November news", "Second draft.")


def test_a_redirect(anna, boris):
    redirect = Redirect.objects.create(old_path="/old/", target="/new/", status=301)
    url, conflict = open_save_conflict(
        anna, boris, redirect, theirs={"target": "/newer/"}, mine={"note": "From the old site."}
    )
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_the_conflict_page_in_russian(django_user_model, editorial_groups, anna):
    ivan = staff(django_user_model, "ivan", first_name="Иван", reviewer=True, language="ru")
    draft = make_publication(title="Доклад", status="draft", published_at=None)
    _url, conflict = open_save_conflict(
        anna, ivan, draft, theirs={"title": "Доклад 2"}, mine={"summary": "Новое."}
    )
    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert "Изменено с тех пор, как вы открыли эту форму" in html
    assert "Оставить мою" in html and "Оставить их" in html


# Restores -------------------------------------------------------------------------------------


@pytest.mark.slow
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
    statuses = post_at_once(clients, url, loaded, "title", "Title {}")
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
    statuses = post_at_once(clients, url, loaded, "title", "Proposed {}")
    assert sorted(statuses) == [302] + [409] * 5
    assert Proposal.objects.get().title == f"Proposed {statuses.index(302)}"
    assert Decision.objects.filter(action=Decision.Action.PROPOSED).count() == 1


@pytest.mark.slow
def test_choices_survive_another_fields_error(anna, boris):
    draft = make_publication(title="One", summary="S.", status="draft", published_at=None)
    url, conflict = open_save_conflict(
        anna, boris, draft, theirs={"title": "Anna's"}, mine={"summary": "Boris."}
    )
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


# A form without the state it was loaded from ----------------------------------------------


def test_a_change_form_posted_without_its_state_saves_nothing_and_keeps_what_was_typed(anna):
    """A script or a page from before the check: nobody can tell what it was loaded from."""
    draft = make_publication(title="Saved title", status="draft", published_at=None)
    url = change_url(draft)
    data = form_data(anna.get(url), title="Typed title")
    del data[LOADED]
    refused = save(anna, url, data)
    assert refused.status_code == 409
    draft.refresh_from_db()
    assert draft.title == "Saved title"
    html = refused.content.decode()
    assert "did not say which version it was loaded from" in html
    assert "Check against the saved version" in html
    assert 'value="Typed title"' in html  # nothing typed lost
    assert "no choice is made for you" in html
    assert save(anna, url, form_data(refused)).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Typed title"


def test_a_form_without_its_state_in_russian(django_user_model, editorial_groups):
    ivan = staff(django_user_model, "ivan", first_name="Иван", reviewer=True, language="ru")
    person = make_person(position="Сотрудник")
    url = change_url(person)
    data = form_data(ivan.get(url), position="Директор")
    del data[LOADED]
    refused = save(ivan, url, data)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Сверьте с сохранённой версией" in html
    assert "Форма не сообщила, с какой версии её открыли" in html


# django-reversion's revert and recover pages ------------------------------------------------


def revision_url(obj, version):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_revision", args=[obj.pk, version.pk])


def recover_url(model, version):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_recover", args=[version.pk])


def recorded(obj):
    """A revision of ``obj`` as it is now; its version."""
    with reversion.create_revision():
        reversion.add_to_revision(obj)
    return Version.objects.get_for_object(obj).first()


HISTORY_ADMINS = {
    "person": (lambda: make_person(position="Fellow"), "position"),
    "institution": (lambda: make_institution(name="Old name"), "name"),
    "poll": (lambda: make_poll(question="Old question?"), "question"),
    "topic": (lambda: make_topic(name="Old topic"), "name"),
    "region": (lambda: make_region(name="Old region"), "name"),
    "project": (lambda: make_project(name="Old project"), "name"),
    "programme": (lambda: make_programme(name="Old programme"), "name"),
}


@pytest.mark.parametrize("kind", HISTORY_ADMINS)
def test_a_revert_page_loaded_before_another_save_saves_nothing_over_it(anna, boris, kind):
    build, name = HISTORY_ADMINS[kind]
    obj = build()
    old = recorded(obj)
    url = change_url(obj)
    assert save(anna, url, form_data(anna.get(url), **{name: "Anna's first"})).status_code == 302
    revert_page = boris.get(revision_url(obj, old))
    assert revert_page.status_code == 200
    assert LOADED.encode() in revert_page.content
    assert save(anna, url, form_data(anna.get(url), **{name: "Anna's second"})).status_code == 302

    stale = save(boris, revision_url(obj, old), form_data(revert_page))
    assert stale.status_code == 409
    assert getattr(type(obj).objects.get(pk=obj.pk), name) == "Anna's second"
    html = stale.content.decode()
    assert "Changed since you opened this form" in html
    assert "Anna" in html  # who saved it
    # The change form of the object as saved now, with the reverted value as Boris's.
    assert f'action="{url}"' in html
    assert keep_choices(stale)[KEEP + name] == "mine"  # both changed it
    assert save(boris, url, form_data(stale)).status_code == 302
    assert getattr(type(obj).objects.get(pk=obj.pk), name) == getattr(obj, name)


@pytest.mark.slow
def test_a_stale_revert_keeps_the_other_editors_fields_and_rows(anna, boris):
    person = make_person(position="Fellow", short_bio="Old bio.")
    Affiliation.objects.create(person=person, institution=make_institution(), role="Fellow")
    old = recorded(person)
    url = change_url(person)
    save(anna, url, form_data(anna.get(url), position="Senior fellow"))
    revert_page = boris.get(revision_url(person, old))
    changes = {"short_bio": "Anna's bio.", "affiliations-0-role": "Director"}
    assert save(anna, url, form_data(anna.get(url), **changes)).status_code == 302

    stale = save(boris, revision_url(person, old), form_data(revert_page))
    assert stale.status_code == 409
    # Boris brought the position back; Anna changed the bio and the affiliation since.
    assert keep_choices(stale) == {
        KEEP + "position": "mine",
        KEEP + "short_bio": "theirs",
        KEEP + "inline-affiliations": "theirs",
    }
    assert save(boris, url, form_data(stale)).status_code == 302
    person = Person.objects.get(pk=person.pk)
    assert (person.position, person.short_bio) == ("Fellow", "Anna's bio.")
    assert person.affiliations.get().role == "Director"


def test_a_poll_revert_page_loaded_before_a_choice_changed_keeps_the_choices(anna, boris):
    poll = make_poll(question="Talks?", answers=("Yes", "No"))
    old = recorded(poll)
    url = change_url(poll)
    revert_page = boris.get(revision_url(poll, old))
    save(anna, url, form_data(anna.get(url), **{"choices-1-text": "Not yet"}))
    stale = save(boris, revision_url(poll, old), form_data(revert_page))
    assert stale.status_code == 409
    assert keep_choices(stale)[KEEP + "inline-choices"] == "theirs"
    assert sorted(poll.choices.values_list("text", flat=True)) == ["Not yet", "Yes"]


def test_a_revert_page_with_nothing_saved_since_reverts(anna):
    person = make_person(given_name="Old", family_name="Name")
    old = recorded(person)
    url = change_url(person)
    save(anna, url, form_data(anna.get(url), given_name="New"))
    page = anna.get(revision_url(person, old))
    assert page.context["adminform"].form["given_name"].value() == "Old"
    assert save(anna, revision_url(person, old), form_data(page)).status_code == 302
    assert Person.objects.get(pk=person.pk).given_name == "Old"


def test_a_revert_posted_without_its_state_saves_nothing(anna):
    person = make_person(given_name="Old")
    old = recorded(person)
    Person.objects.filter(pk=person.pk).update(given_name="New")
    data = form_data(anna.get(revision_url(person, old)))
    del data[LOADED]
    refused = save(anna, revision_url(person, old), data)
    assert refused.status_code == 409
    assert "did not say which version it was loaded from" in refused.content.decode()
    assert Person.objects.get(pk=person.pk).given_name == "New"


def test_a_recover_page_loaded_before_someone_else_recovered_it_saves_nothing_over_it(anna, boris):
    poll = make_poll(question="Deleted question?")
    pk = poll.pk
    recorded(poll)
    poll.delete()
    version = Version.objects.get_deleted(Poll).get(object_id=str(pk))
    page_a, page_b = anna.get(recover_url(Poll, version)), boris.get(recover_url(Poll, version))
    assert page_b.status_code == 200
    assert save(anna, recover_url(Poll, version), form_data(page_a)).status_code == 302
    url = change_url(Poll.objects.get(pk=pk))
    save(anna, url, form_data(anna.get(url), question="Recovered and changed?"))

    stale = save(boris, recover_url(Poll, version), form_data(page_b, question="Boris's?"))
    assert stale.status_code == 409
    assert Poll.objects.get(pk=pk).question == "Recovered and changed?"
    html = stale.content.decode()
    assert "Recovered and changed?" in html and "Boris&#x27;s?" in html
    assert "no choice is made for you" in html


def test_a_revert_page_opened_before_the_object_was_deleted_saves_nothing(anna):
    topic = make_topic(name="Arms")
    pk = topic.pk
    old = recorded(topic)
    url = revision_url(topic, old)
    page = anna.get(url)
    topic.delete()
    refused = save(anna, url, form_data(page, name="Arms control"))
    assert refused.status_code == 409
    assert "was deleted" in refused.content.decode()
    assert 'value="Arms control"' in refused.content.decode()
    assert not type(topic).objects.filter(pk=pk).exists()
    assert save(anna, url, form_data(refused)).status_code == 302  # now it recovers it
    assert type(topic).objects.get(pk=pk).name == "Arms control"


def test_a_revert_refused_in_russian(django_user_model, editorial_groups):
    ivan = staff(django_user_model, "ivan", first_name="Иван", reviewer=True, language="ru")
    topic = make_topic(name="Arms")
    url = revision_url(topic, recorded(topic))
    page = ivan.get(url)
    topic.delete()
    refused = save(ivan, url, form_data(page))
    assert refused.status_code == 409
    assert "Ничего не сохранено: эта страница была открыта до удаления" in refused.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reverts_from_one_page_at_the_same_moment_revert_once(django_user_model, editorial_groups):
    """Six editors post a revert page opened before one of them reverts: the check runs
    with the row locked before anything is reverted, so one reverts and five get the
    change form with both versions."""
    person = make_person(position="Fellow")
    old = recorded(person)
    Person.objects.filter(pk=person.pk).update(position="Director")
    clients = [
        staff(django_user_model, f"editor{i}", first_name=f"Editor {i}", reviewer=True)
        for i in range(6)
    ]
    url = revision_url(person, old)
    loaded = clients[0].get(url)
    statuses = post_at_once(clients, url, loaded, "short_bio", "Bio {}.")
    assert sorted(statuses) == [302] + [409] * 5
    person = Person.objects.get(pk=person.pk)
    assert (person.position, person.short_bio) == ("Fellow", f"Bio {statuses.index(302)}.")

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from polls.models import Poll
from publications.models import Publication

pytestmark = pytest.mark.django_db


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"people", "publications", "polls", "auth"}
    }


def test_load_demo_builds_the_seed_content_and_is_idempotent(client):
    call_command("load_demo", stdout=io.StringIO())
    first = row_counts()
    call_command("load_demo", stdout=io.StringIO())
    assert row_counts() == first

    report = Publication.objects.get(
        slug="uk-russia-security-relations-talking-to-not-past-each-other"
    )
    assert (report.rating_count, report.rating_average) == (11, 5.0)
    assert [a.person.family_name for a in report.authors] == ["Ferris", "Kortunov"]
    assert report.attachments.get().size_bytes > 0

    conference = Publication.objects.get(slug="defining-dialogue-part-2")
    assert conference.get_kind_display() == "Conference report"
    assert conference.published_at.date().isoformat() == "2018-03-27"
    assert [a.person.family_name for a in conference.authors] == [
        "Chalmers",
        "Kortunov",
        "Lain",
        "Smekalova",
    ]
    assert conference.banner_credit == "Courtesy of the Royal Air Force"
    assert conference.translations.get().language == "ru"
    assert conference.project.slug == "uk-russia-security-dialogue"
    assert conference.project_part == 2

    poll = Poll.objects.get()
    assert [c.vote_count for c in poll.choices.all()] == [33, 30, 24, 21]
    assert poll.total_votes == 108 == poll.votes.count()

    page = client.get(report.get_absolute_url()).content.decode()
    assert "votes: 11, rating: 5" in page
    assert client.get(conference.get_absolute_url()).status_code == 200

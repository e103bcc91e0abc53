import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.desk.russian_admin import honour_accept_language_in_admin


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user(
        "reviewer", "reviewer@example.org", "pw-reviewer-123!", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


@pytest.fixture
def reviewer_client(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def admin_in_browser_language(monkeypatch):
    honour_accept_language_in_admin(monkeypatch)

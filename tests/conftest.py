import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import translation

POSTGRES_ONLY = "postgres"


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need PostgreSQL: on SQLite they are deselected (not skipped),
    and the run says so; the PostgreSQL pass of `make test` runs them."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker(POSTGRES_ONLY) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
        print(
            f"\n{len(dropped)} PostgreSQL-only tests deselected on SQLite; "
            "the PostgreSQL pass runs them."
        )


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Every test: an empty cache, its own media folder, and English until it asks otherwise
    (a /ru/ request leaves the thread in Russian, which would change later reverse() calls)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
    cache.clear()


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw-root-123!")


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(
        "editor", "editor@example.org", "pw-editor-123!", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def reviewer(django_user_model):
    """An editor who may also publish: approves, sends back, publishes and unpublishes."""
    user = django_user_model.objects.create_user(
        "reviewer", "reviewer@example.org", "pw-reviewer-123!", is_staff=True
    )
    user.groups.add(*Group.objects.filter(name__in=["Editors", "Reviewers"]))
    return user


@pytest.fixture
def reviewer_client(reviewer):
    from django.test import Client

    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("reader", "reader@example.org", "pw-reader-123!")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
